"""Tests for skdigit.datasets: the IDX reader, load_mnist, and downloading.

Downloads are tested against a local HTTP server on 127.0.0.1 serving small
fake MNIST-shaped files (with the expected checksums monkeypatched), so no test
touches the internet. The tests marked ``mnist`` read the real MNIST.
"""

import gzip
import hashlib
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils import Bunch

from skdigit.datasets import MNISTNotFoundError, _mnist, load_idx, load_mnist

TRAIN_FILES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"]
TEST_FILES = ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
ALL_FILES = TRAIN_FILES + TEST_FILES
MNIST_TRAIN_CLASS_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]

IDX_CODES = {
    np.dtype("uint8"): 0x08,
    np.dtype("int8"): 0x09,
    np.dtype("int16"): 0x0B,
    np.dtype("int32"): 0x0C,
    np.dtype("float32"): 0x0D,
    np.dtype("float64"): 0x0E,
}


def idx_bytes(array, code=None):
    """Encode ``array`` as an (uncompressed) IDX payload."""
    array = np.asarray(array)
    code = IDX_CODES[array.dtype] if code is None else code
    header = bytes([0, 0, code, array.ndim]) + np.array(array.shape, ">u4").tobytes()
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path, payload, gz):
    path.write_bytes(gzip.compress(payload) if gz else payload)
    return path


def leftovers(folder):
    """Names of the files in ``folder`` (temporary files included)."""
    return sorted(p.name for p in Path(folder).iterdir())


# --------------------------------------------------------------------- load_idx


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
@pytest.mark.parametrize("dtype", list(IDX_CODES), ids=str)
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4), (2, 1, 3, 2)], ids=str)
def test_load_idx_round_trip(tmp_path, dtype, shape, gz):
    rng = np.random.default_rng(0)
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:
        expected = rng.standard_normal(shape).astype(dtype) * 1e3
    else:
        expected = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)
    path = write(tmp_path / "values-idx", idx_bytes(expected), gz)

    array = load_idx(path)

    assert array.dtype == dtype and array.dtype.isnative
    assert array.shape == shape
    np.testing.assert_array_equal(array, expected)
    assert array.flags.c_contiguous and array.flags.writeable and array.flags.owndata


def test_load_idx_detects_gzip_by_magic_not_extension(tmp_path):
    expected = np.arange(12, dtype=np.uint8).reshape(3, 4)
    gzipped_no_suffix = write(tmp_path / "a-idx2-ubyte", idx_bytes(expected), gz=True)
    raw_with_gz_suffix = write(tmp_path / "b-idx2-ubyte.gz", idx_bytes(expected), gz=False)

    np.testing.assert_array_equal(load_idx(gzipped_no_suffix), expected)
    np.testing.assert_array_equal(load_idx(raw_with_gz_suffix), expected)


def test_load_idx_accepts_str_path(tmp_path):
    path = write(tmp_path / "x", idx_bytes(np.array([1.5, -2.0])), gz=False)
    np.testing.assert_array_equal(load_idx(str(path)), [1.5, -2.0])


def test_load_idx_reads_big_endian_values(tmp_path):
    # 0x0102 big-endian is 258, whatever the machine's byte order.
    payload = bytes([0, 0, 0x0B, 1, 0, 0, 0, 2, 0x01, 0x02, 0xFF, 0xFE])
    path = write(tmp_path / "be", payload, gz=False)
    np.testing.assert_array_equal(load_idx(path), [258, -2])


@pytest.mark.parametrize(
    "header, match",
    [
        (bytes([1, 0, 0x08, 1]), r"bad magic number 0x01000801 \(its first two bytes must be zero"),
        (bytes([0, 7, 0x08, 1]), r"bad magic number 0x00070801"),
        (bytes([0, 0, 0x0A, 1]), r"unknown data type code 0x0A"),
    ],
)
def test_load_idx_bad_magic(tmp_path, header, match):
    path = write(tmp_path / "bad-magic", header + bytes([0, 0, 0, 2, 1, 2]), gz=False)
    with pytest.raises(ValueError, match=match) as excinfo:
        load_idx(path)
    assert str(path) in str(excinfo.value)


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_load_idx_truncated_payload(tmp_path, gz):
    payload = idx_bytes(np.zeros((4, 3), np.int32))
    path = write(tmp_path / "short", payload[:-5], gz)
    with pytest.raises(ValueError, match=r"truncated.*needs 48 bytes.*has 43") as excinfo:
        load_idx(path)
    assert str(path) in str(excinfo.value)


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_load_idx_trailing_bytes(tmp_path, gz):
    path = write(tmp_path / "long", idx_bytes(np.zeros(5, np.uint8)) + b"xyz", gz)
    with pytest.raises(ValueError, match=r"long: .*3 trailing bytes"):
        load_idx(path)


@pytest.mark.parametrize(
    "payload, match",
    [
        (b"\x00\x00", r"too short"),
        (bytes([0, 0, 0x08, 3, 0, 0, 0, 2]), r"truncated IDX header: 3 dimensions"),
    ],
)
def test_load_idx_truncated_header(tmp_path, payload, match):
    path = write(tmp_path / "header", payload, gz=False)
    with pytest.raises(ValueError, match=match) as excinfo:
        load_idx(path)
    assert str(path) in str(excinfo.value)


def test_load_idx_truncated_gzip(tmp_path):
    compressed = gzip.compress(idx_bytes(np.arange(1000, dtype=np.int16)))
    path = tmp_path / "cut.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(ValueError, match=r"cut\.gz: corrupted or truncated gzip data"):
        load_idx(path)


def test_load_idx_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_idx(tmp_path / "nope")


# ------------------------------------------------- load_mnist on fake MNIST files


@pytest.fixture(autouse=True)
def _isolate(monkeypatch, tmp_path):
    """No test reaches the internet, the user's data home or waits on retries."""
    monkeypatch.setattr(_mnist, "MIRRORS", [])
    monkeypatch.setattr(_mnist, "_BACKOFF_S", 0)
    monkeypatch.delenv("SKDIGIT_DATA_HOME", raising=False)
    monkeypatch.setenv("SCIKIT_LEARN_DATA", str(tmp_path / "scikit_learn_data"))


@pytest.fixture
def fake_mnist(monkeypatch):
    """Small MNIST-shaped IDX payloads, ``{name: bytes}``, with matching checksums."""
    rng = np.random.default_rng(42)
    arrays = {}
    for prefix, n in [("train", 6), ("t10k", 4)]:
        arrays[f"{prefix}-images-idx3-ubyte"] = rng.integers(0, 256, (n, 28, 28), np.uint8)
        arrays[f"{prefix}-labels-idx1-ubyte"] = rng.integers(0, 10, n, np.uint8)
    payloads = {name: idx_bytes(array) for name, array in arrays.items()}
    checksums = {name: hashlib.sha256(p).hexdigest() for name, p in payloads.items()}
    monkeypatch.setattr(_mnist, "_SHA256", checksums)
    return Bunch(payloads=payloads, arrays=arrays)


def put(folder, fake, names=ALL_FILES, suffix=".gz"):
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        write(folder / (name + suffix), fake.payloads[name], gz=suffix == ".gz")
    return folder


def test_load_mnist_bunch(tmp_path, fake_mnist):
    bunch = load_mnist(data_home=put(tmp_path / "home", fake_mnist), download=False)

    images = fake_mnist.arrays["train-images-idx3-ubyte"]
    assert isinstance(bunch, Bunch)
    assert bunch.data.shape == (6, 784) and bunch.data.dtype == np.uint8
    assert bunch.data.flags.c_contiguous
    np.testing.assert_array_equal(bunch.images, images)
    np.testing.assert_array_equal(bunch.data, images.reshape(6, 784))
    assert np.shares_memory(bunch.data, bunch.images)
    assert bunch.target.dtype == np.int64
    np.testing.assert_array_equal(bunch.target, fake_mnist.arrays["train-labels-idx1-ubyte"])
    assert len(bunch.feature_names) == 784
    assert bunch.feature_names[:2] == ["pixel_0_0", "pixel_0_1"]
    assert bunch.feature_names[28] == "pixel_1_0" and bunch.feature_names[-1] == "pixel_27_27"
    np.testing.assert_array_equal(bunch.target_names, np.arange(10))


def test_load_mnist_descr(tmp_path, fake_mnist):
    descr = load_mnist(subset="test", data_home=put(tmp_path, fake_mnist, names=TEST_FILES)).DESCR
    for fact in [
        "LeCun",
        "Bottou",
        "Bengio",
        "Haffner",
        "86(11)",
        "CC BY-SA 3.0",
        "60,000",
        "10,000",
        "70,000",
        "http://yann.lecun.com/exdb/mnist/",
    ]:
        assert fact in descr
    # The real checksums (README of the data), not the monkeypatched ones of fake_mnist.
    real = {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738"
        "ad16aec93bde7f9b65e87a2fc25776db",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351"
        "222c34898ecbeaf847f06e48f7ec33f2",
    }
    for name, digest in real.items():
        assert f"- {name}: {digest}" in descr


def test_load_mnist_subsets(tmp_path, fake_mnist):
    home = put(tmp_path, fake_mnist)
    a = fake_mnist.arrays

    test = load_mnist(subset="test", data_home=home, download=False)
    np.testing.assert_array_equal(test.images, a["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(test.target, a["t10k-labels-idx1-ubyte"])

    every = load_mnist(subset="all", data_home=home, download=False)
    assert every.data.shape == (10, 784) and every.data.flags.c_contiguous
    assert np.shares_memory(every.data, every.images)
    np.testing.assert_array_equal(
        every.images, np.concatenate([a["train-images-idx3-ubyte"], a["t10k-images-idx3-ubyte"]])
    )
    np.testing.assert_array_equal(
        every.target, np.concatenate([a["train-labels-idx1-ubyte"], a["t10k-labels-idx1-ubyte"]])
    )


def test_load_mnist_return_X_y(tmp_path, fake_mnist):
    X, y = load_mnist(subset="test", data_home=put(tmp_path, fake_mnist), return_X_y=True)
    assert X.shape == (4, 784) and X.dtype == np.uint8
    assert y.dtype == np.int64
    np.testing.assert_array_equal(y, fake_mnist.arrays["t10k-labels-idx1-ubyte"])


@pytest.mark.parametrize("subset", ["training", "", None, "Train"])
def test_load_mnist_bad_subset(subset):
    with pytest.raises(ValueError, match="subset must be one of"):
        load_mnist(subset=subset)


@pytest.mark.parametrize(
    "rename",
    [
        lambda name: name,
        lambda name: name + ".gz",
        lambda name: name.replace("-idx", ".idx"),
        lambda name: name.replace("-idx", ".idx") + ".gz",
    ],
    ids=["raw", "gz", "dotted", "dotted-gz"],
)
def test_load_mnist_file_name_variants(tmp_path, fake_mnist, rename):
    for name in TEST_FILES:
        write(tmp_path / rename(name), fake_mnist.payloads[name], gz=rename(name).endswith(".gz"))
    X, y = load_mnist(subset="test", data_home=tmp_path, download=False, return_X_y=True)
    np.testing.assert_array_equal(y, fake_mnist.arrays["t10k-labels-idx1-ubyte"])


def test_load_mnist_data_home_from_env(tmp_path, fake_mnist, monkeypatch):
    monkeypatch.setenv("SKDIGIT_DATA_HOME", str(put(tmp_path / "env", fake_mnist)))
    _, y = load_mnist(subset="test", download=False, return_X_y=True)
    np.testing.assert_array_equal(y, fake_mnist.arrays["t10k-labels-idx1-ubyte"])


def test_load_mnist_argument_beats_env(tmp_path, fake_mnist, monkeypatch):
    monkeypatch.setenv("SKDIGIT_DATA_HOME", str(tmp_path / "empty"))
    home = put(tmp_path / "arg", fake_mnist, names=TEST_FILES)
    _, y = load_mnist(subset="test", data_home=home, download=False, return_X_y=True)
    assert len(y) == 4


def test_load_mnist_default_data_home(tmp_path, fake_mnist):
    # _isolate points SCIKIT_LEARN_DATA, read by sklearn's get_data_home, at tmp_path.
    put(tmp_path / "scikit_learn_data" / "mnist", fake_mnist, names=TEST_FILES)
    _, y = load_mnist(subset="test", download=False, return_X_y=True)
    assert len(y) == 4


@pytest.mark.parametrize(
    "env, origin",
    [(False, "the data_home argument"), (True, "the SKDIGIT_DATA_HOME environment variable")],
)
def test_load_mnist_missing_without_download(tmp_path, fake_mnist, monkeypatch, env, origin):
    home = put(tmp_path / "partial", fake_mnist, names=["train-labels-idx1-ubyte"])
    if env:
        monkeypatch.setenv("SKDIGIT_DATA_HOME", str(home))
    with pytest.raises(MNISTNotFoundError) as excinfo:
        load_mnist(subset="all", data_home=None if env else home, download=False)

    exc = excinfo.value
    assert isinstance(exc, FileNotFoundError)
    missing = ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    assert exc.missing == missing and exc.data_home == home
    message = str(exc)
    assert f"missing from {home} (data home chosen by {origin}): " + ", ".join(missing) in message
    assert "train-labels-idx1-ubyte" not in message.splitlines()[0]
    assert "download=False" in message
    assert "data_home=" in message and "SKDIGIT_DATA_HOME" in message


def test_load_mnist_missing_default_home_says_so(tmp_path):
    with pytest.raises(MNISTNotFoundError, match=r"get_data_home\(\)/mnist") as excinfo:
        load_mnist(download=False)
    assert excinfo.value.data_home == tmp_path / "scikit_learn_data" / "mnist"


def test_load_mnist_corrupted_local_file(tmp_path, fake_mnist, mirror_server, monkeypatch):
    home = put(tmp_path, fake_mnist, names=TEST_FILES)
    bad = home / "t10k-images-idx3-ubyte.gz"
    tampered = bytearray(fake_mnist.payloads["t10k-images-idx3-ubyte"])
    tampered[100] ^= 1
    write(bad, bytes(tampered), gz=True)
    # Even with a mirror holding a good copy, a local file is never overwritten.
    mirror_server.serve("m", fake_mnist.payloads)
    monkeypatch.setattr(_mnist, "MIRRORS", [mirror_server.url("m")])

    with pytest.raises(ValueError, match=r"SHA-256 of the decompressed payload") as excinfo:
        load_mnist(subset="test", data_home=home, download=True)

    message = str(excinfo.value)
    assert str(bad) in message and f"Delete {bad}" in message and "data_home" in message
    assert gzip.decompress(bad.read_bytes()) == bytes(tampered)
    assert mirror_server.requests == []


def test_load_mnist_truncated_local_file(tmp_path, fake_mnist):
    home = put(tmp_path, fake_mnist, names=TEST_FILES)
    bad = home / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"truncated gzip data[\s\S]*Delete") as excinfo:
        load_mnist(subset="test", data_home=home)
    assert str(bad) in str(excinfo.value)


# -------------------------------------------------------------------- downloads


class _Truncated(bytes):
    """A response body announced in full but cut off half-way."""


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        responses = self.server.routes.get(self.path, [404])
        response = responses.pop(0) if len(responses) > 1 else responses[0]
        if isinstance(response, int):
            self.send_error(response)
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(response)))
        self.end_headers()
        self.wfile.write(
            response[: len(response) // 2] if isinstance(response, _Truncated) else response
        )

    def log_message(self, format, *args):
        pass


class MirrorServer:
    """An HTTP server on 127.0.0.1 with programmable responses per path."""

    def __init__(self):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.routes = {}
        self._httpd.requests = []
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()

    @property
    def requests(self):
        return self._httpd.requests

    def url(self, mirror):
        return f"http://127.0.0.1:{self._httpd.server_port}/{mirror}/"

    def serve(self, mirror, payloads, gz=True):
        """Serve ``payloads`` (``{name: bytes}``) as ``/<mirror>/<name>.gz``."""
        for name, payload in payloads.items():
            self.respond(mirror, name, gzip.compress(payload) if gz else payload)

    def respond(self, mirror, name, *responses):
        """Answer GET /<mirror>/<name>.gz with ``responses`` in turn, the last one
        repeated: bytes (200), an int (an HTTP error status) or a _Truncated body."""
        self._httpd.routes[f"/{mirror}/{name}.gz"] = list(responses)

    def close(self):
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()


@pytest.fixture
def mirror_server():
    server = MirrorServer()
    yield server
    server.close()


@pytest.fixture
def unreachable_url():
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def test_download(tmp_path, fake_mnist, mirror_server, monkeypatch, capsys):
    mirror_server.serve("m", fake_mnist.payloads)
    monkeypatch.setattr(_mnist, "MIRRORS", [mirror_server.url("m")])
    home = tmp_path / "not" / "yet" / "there"

    bunch = load_mnist(subset="train", data_home=home)

    np.testing.assert_array_equal(bunch.images, fake_mnist.arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(bunch.target, fake_mnist.arrays["train-labels-idx1-ubyte"])
    assert leftovers(home) == sorted(name + ".gz" for name in TRAIN_FILES)
    assert sorted(mirror_server.requests) == sorted(f"/m/{n}.gz" for n in TRAIN_FILES)
    assert "Downloading train-images-idx3-ubyte.gz" in capsys.readouterr().err

    # Present now: loading again downloads nothing.
    load_mnist(subset="train", data_home=home)
    assert len(mirror_server.requests) == 2


def test_download_only_missing_files(tmp_path, fake_mnist, mirror_server, monkeypatch):
    home = put(tmp_path, fake_mnist, names=["train-images-idx3-ubyte"], suffix="")
    mirror_server.serve("m", fake_mnist.payloads)
    monkeypatch.setattr(_mnist, "MIRRORS", [mirror_server.url("m")])

    load_mnist(data_home=home)

    assert mirror_server.requests == ["/m/train-labels-idx1-ubyte.gz"]
    assert leftovers(home) == ["train-images-idx3-ubyte", "train-labels-idx1-ubyte.gz"]


def test_download_uncompressed_response_saved_without_gz_suffix(
    tmp_path, fake_mnist, mirror_server, monkeypatch
):
    mirror_server.serve("m", fake_mnist.payloads, gz=False)
    monkeypatch.setattr(_mnist, "MIRRORS", [mirror_server.url("m")])
    load_mnist(subset="test", data_home=tmp_path)
    assert leftovers(tmp_path) == TEST_FILES


def test_download_without_tqdm_prints_one_line(
    tmp_path, fake_mnist, mirror_server, monkeypatch, capsys
):
    monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` fail
    mirror_server.serve("m", fake_mnist.payloads)
    monkeypatch.setattr(_mnist, "MIRRORS", [mirror_server.url("m")])
    load_mnist(subset="test", data_home=tmp_path)
    err = capsys.readouterr().err
    assert err.count("Downloading http://127.0.0.1") == 2


def test_download_checksum_failure_leaves_nothing(tmp_path, fake_mnist, mirror_server, monkeypatch):
    wrong = {name: idx_bytes(np.zeros(3, np.uint8)) for name in ALL_FILES}
    mirror_server.serve("m", wrong)
    url = mirror_server.url("m")
    monkeypatch.setattr(_mnist, "MIRRORS", [url])

    with pytest.raises(MNISTNotFoundError) as excinfo:
        load_mnist(subset="test", data_home=tmp_path)

    message = str(excinfo.value)
    assert f"{url}t10k-images-idx3-ubyte.gz failed" in message
    assert "SHA-256 of the decompressed payload" in message
    assert excinfo.value.missing == TEST_FILES
    assert leftovers(tmp_path) == []
    # A bad file is not retried on the same mirror.
    assert mirror_server.requests == ["/m/t10k-images-idx3-ubyte.gz"]


def test_download_404_falls_through_to_next_mirror(
    tmp_path, fake_mnist, mirror_server, monkeypatch
):
    mirror_server.serve("good", fake_mnist.payloads)
    mirrors = [mirror_server.url("empty"), mirror_server.url("good").rstrip("/")]
    monkeypatch.setattr(_mnist, "MIRRORS", mirrors)

    _, y = load_mnist(subset="test", data_home=tmp_path, return_X_y=True)

    np.testing.assert_array_equal(y, fake_mnist.arrays["t10k-labels-idx1-ubyte"])
    assert mirror_server.requests == [  # a 404 is not retried
        "/empty/t10k-images-idx3-ubyte.gz",
        "/good/t10k-images-idx3-ubyte.gz",
        "/empty/t10k-labels-idx1-ubyte.gz",
        "/good/t10k-labels-idx1-ubyte.gz",
    ]
    assert leftovers(tmp_path) == sorted(name + ".gz" for name in TEST_FILES)


def test_download_corrupt_mirror_falls_through(tmp_path, fake_mnist, mirror_server, monkeypatch):
    mirror_server.serve("bad", {name: b"\x1f\x8bnot gzip" for name in ALL_FILES}, gz=False)
    mirror_server.serve("good", fake_mnist.payloads)
    monkeypatch.setattr(_mnist, "MIRRORS", [mirror_server.url("bad"), mirror_server.url("good")])
    _, y = load_mnist(subset="test", data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(y, fake_mnist.arrays["t10k-labels-idx1-ubyte"])
    assert leftovers(tmp_path) == sorted(name + ".gz" for name in TEST_FILES)


def test_download_retries_transient_errors(tmp_path, fake_mnist, mirror_server, monkeypatch):
    good = gzip.compress(fake_mnist.payloads["t10k-labels-idx1-ubyte"])
    mirror_server.serve("m", fake_mnist.payloads)
    mirror_server.respond("m", "t10k-labels-idx1-ubyte", 503, _Truncated(good), good)
    monkeypatch.setattr(_mnist, "MIRRORS", [mirror_server.url("m")])

    load_mnist(subset="test", data_home=tmp_path)

    assert mirror_server.requests.count("/m/t10k-labels-idx1-ubyte.gz") == 3
    assert leftovers(tmp_path) == sorted(name + ".gz" for name in TEST_FILES)


def test_download_gives_up_after_retries(tmp_path, fake_mnist, mirror_server, monkeypatch):
    body = gzip.compress(fake_mnist.payloads["t10k-images-idx3-ubyte"])
    mirror_server.respond("m", "t10k-images-idx3-ubyte", _Truncated(body))
    monkeypatch.setattr(_mnist, "MIRRORS", [mirror_server.url("m")])

    with pytest.raises(MNISTNotFoundError) as excinfo:
        load_mnist(subset="test", data_home=tmp_path)

    assert (
        f"m/t10k-images-idx3-ubyte.gz failed: connection closed after {len(body) // 2} "
        f"of {len(body)} bytes"
    ) in str(excinfo.value)

    assert len(mirror_server.requests) == _mnist._ATTEMPTS
    assert leftovers(tmp_path) == []


def test_download_all_mirrors_unreachable(tmp_path, unreachable_url, monkeypatch):
    second = unreachable_url.replace("/mnist/", "/other/")
    monkeypatch.setattr(_mnist, "MIRRORS", [unreachable_url, second])
    home = tmp_path / "home"

    with pytest.raises(MNISTNotFoundError) as excinfo:
        load_mnist(subset="all", data_home=home)

    exc = excinfo.value
    assert exc.missing == ALL_FILES and exc.data_home == home
    message = str(exc)
    assert f"missing from {home} (data home chosen by the data_home argument): " in message
    assert ", ".join(ALL_FILES) in message
    assert f"{unreachable_url}train-images-idx3-ubyte.gz failed" in message
    assert f"{second}train-images-idx3-ubyte.gz failed" in message
    assert "refused" in message.lower()
    assert f"e.g. {unreachable_url}train-images-idx3-ubyte.gz" in message
    assert "SKDIGIT_DATA_HOME" in message
    assert leftovers(home) == []


def test_download_error_when_data_home_cannot_be_created(
    tmp_path, fake_mnist, mirror_server, monkeypatch
):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    mirror_server.serve("m", fake_mnist.payloads)
    monkeypatch.setattr(_mnist, "MIRRORS", [mirror_server.url("m")])
    with pytest.raises(MNISTNotFoundError, match="File exists|Not a directory"):
        load_mnist(data_home=blocker / "mnist")
    assert mirror_server.requests == []


# ------------------------------------------------------------------- real MNIST


@pytest.fixture(scope="module")
def mnist_train(mnist_home):
    return load_mnist(subset="train", data_home=mnist_home, download=False)


@pytest.fixture(scope="module")
def mnist_test(mnist_home):
    return load_mnist(subset="test", data_home=mnist_home, download=False)


@pytest.mark.mnist
def test_real_mnist_train(mnist_train):
    bunch = mnist_train
    assert bunch.data.shape == (60000, 784) and bunch.data.dtype == np.uint8
    assert bunch.images.shape == (60000, 28, 28) and bunch.images.dtype == np.uint8
    assert bunch.data.flags.c_contiguous and np.shares_memory(bunch.data, bunch.images)
    assert bunch.target.shape == (60000,) and bunch.target.dtype == np.int64
    assert np.bincount(bunch.target).tolist() == MNIST_TRAIN_CLASS_COUNTS
    assert bunch.data.min() == 0 and bunch.data.max() == 255
    assert bunch.data[:, 0].max() == 0  # the corners are background
    assert len(bunch.feature_names) == 784
    assert bunch.DESCR.startswith(".. _mnist_dataset:")


@pytest.mark.mnist
def test_real_mnist_test(mnist_test):
    assert mnist_test.data.shape == (10000, 784) and mnist_test.images.shape == (10000, 28, 28)
    assert mnist_test.target.tolist()[:10] == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert np.bincount(mnist_test.target, minlength=10).sum() == 10000


@pytest.mark.mnist
def test_real_mnist_all(mnist_home, mnist_train, mnist_test):
    X, y = load_mnist(subset="all", data_home=mnist_home, download=False, return_X_y=True)
    assert X.shape == (70000, 784) and X.dtype == np.uint8 and X.flags.c_contiguous
    assert y.shape == (70000,) and y.dtype == np.int64
    np.testing.assert_array_equal(X[:60000], mnist_train.data)
    np.testing.assert_array_equal(X[60000:], mnist_test.data)
    np.testing.assert_array_equal(y, np.concatenate([mnist_train.target, mnist_test.target]))


@pytest.mark.mnist
def test_real_mnist_from_env_var(mnist_home, mnist_test, monkeypatch):
    monkeypatch.setenv("SKDIGIT_DATA_HOME", str(mnist_home))
    X, y = load_mnist(subset="test", download=False, return_X_y=True)
    np.testing.assert_array_equal(X, mnist_test.data)
    np.testing.assert_array_equal(y, mnist_test.target)


@pytest.mark.mnist
def test_real_mnist_load_idx(mnist_home, mnist_test):
    path = next(Path(mnist_home).glob("t10k-images*"))
    images = load_idx(path)
    assert images.dtype == np.uint8
    np.testing.assert_array_equal(images, mnist_test.images)
