"""Tests for skdigit.datasets: the IDX reader and load_mnist.

Most tests of load_mnist use small fake MNIST-shaped files (with the expected
checksums monkeypatched); the tests marked ``mnist`` read the real MNIST bundled
with skdigit.
"""

import gzip
import hashlib
import re
import shutil
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils import Bunch

from skdigit.datasets import MNISTNotFoundError, _idx, _mnist, load_idx, load_mnist

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


# ------------------------------------------------ load_idx: files that inflate


def _header(code, shape):
    return bytes([0, 0, code, len(shape)]) + np.array(shape, ">u4").tobytes()


def _peak_bytes(function):
    """Peak of the memory traced (Python and NumPy) while ``function`` runs."""
    tracemalloc.start()
    try:
        try:
            function()
        finally:
            peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak


def test_load_idx_gzip_bomb_is_streamed_in_bounded_memory(tmp_path):
    # 10 valid bytes, then 64 MB of zeros: a 64 KB file; the whole payload was
    # decompressed into memory before its size was checked
    path = tmp_path / "bomb-idx1-ubyte.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(_header(0x08, (10,)) + bytes(range(10)))
        for _ in range(64):
            fh.write(bytes(1 << 20))
    assert path.stat().st_size < 1 << 17

    def load():
        with pytest.raises(ValueError, match=r"bomb-idx1-ubyte\.gz: .*67108864 trailing bytes"):
            load_idx(path)

    assert _peak_bytes(load) < 8 << 20  # a buffer or two, not the 64 MB


def test_load_idx_refuses_a_header_beyond_max_bytes_before_allocating(tmp_path, monkeypatch):
    path = write(tmp_path / "big-idx3-ubyte.gz", _header(0x08, (1000, 28, 28)) + bytes(784_000),
                 gz=True)
    allocated = []
    monkeypatch.setattr(_idx.np, "empty", lambda *a, **k: allocated.append(a) or 1 / 0)
    with pytest.raises(ValueError, match=r"big-idx3-ubyte\.gz: the IDX header announces "
                       r"shape \(1000, 28, 28\) of uint8, 784000 bytes, more than the "
                       r"limit of 100000 bytes; if the file is genuine, pass a larger "
                       r"max_bytes"):
        load_idx(path, max_bytes=100_000)
    assert allocated == []


@pytest.mark.parametrize("gz", [False, True], ids=["raw", "gz"])
def test_load_idx_default_limit_is_documented_and_applied(tmp_path, gz):
    assert _idx.MAX_BYTES == 2**31
    path = write(tmp_path / "huge", _header(0x0E, (2**28 + 1,)) + bytes(80), gz)
    with pytest.raises(ValueError, match=r"huge: .* 2147483656 bytes, more than the limit of "
                       r"2147483648 bytes"):
        load_idx(path)


def test_load_idx_forged_gzip_header_checked_against_the_file_size(tmp_path):
    # (65535, 65535, 65535) of float64: no gzip file of a few bytes inflates to 2 PB
    path = write(tmp_path / "forged.gz", _header(0x0E, (65535,) * 3) + bytes(8), gz=True)
    with pytest.raises(ValueError, match=r"forged\.gz: the IDX header announces shape "
                       r"\(65535, 65535, 65535\) of float64, 2251696736043000 bytes, more "
                       r"than a gzip file of \d+ bytes can inflate to: the file is truncated"):
        load_idx(path, max_bytes=None)


def test_load_idx_forged_raw_header_checked_before_allocating(tmp_path, monkeypatch):
    path = write(tmp_path / "forged", _header(0x08, (65535, 65535)) + bytes(8), gz=False)
    monkeypatch.setattr(_idx.np, "empty", lambda *a, **k: 1 / 0)
    with pytest.raises(ValueError, match=r"forged: IDX payload size does not match the "
                       r"header \(truncated\)"):
        load_idx(path, max_bytes=None)


def test_load_idx_out_of_memory_names_the_file(tmp_path, monkeypatch):
    path = write(tmp_path / "fine-idx1-ubyte", idx_bytes(np.arange(5, dtype=np.uint8)), gz=False)

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(_idx.np, "empty", no_memory)
    with pytest.raises(MemoryError, match=r"fine-idx1-ubyte: not enough memory for the 5 "
                       r"bytes of shape \(5,\) of uint8"):
        load_idx(path)


@pytest.mark.parametrize("max_bytes", [0, -1, 1.5, "1"])
def test_load_idx_validates_max_bytes(tmp_path, max_bytes):
    path = write(tmp_path / "fine", idx_bytes(np.arange(5, dtype=np.uint8)), gz=False)
    with pytest.raises(ValueError, match="max_bytes"):
        load_idx(path, max_bytes=max_bytes)


# ------------------------------------------------- load_mnist on fake MNIST files


@pytest.fixture(autouse=True)
def _isolate(monkeypatch):
    """The tests choose the data home themselves, whatever the caller's environment."""
    monkeypatch.delenv("SKDIGIT_DATA_HOME", raising=False)


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


@pytest.fixture
def fake_bundled(tmp_path, fake_mnist, monkeypatch):
    """Stand in a folder of fake MNIST files for the copy bundled with skdigit."""
    folder = put(tmp_path / "bundled", fake_mnist)
    monkeypatch.setattr(_mnist, "_bundled_home", lambda: folder)
    return folder


def test_load_mnist_bunch(tmp_path, fake_mnist):
    bunch = load_mnist(data_home=put(tmp_path / "home", fake_mnist))

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
        "Cortes",
        "Burges",
        "Bottou",
        "Bengio",
        "Haffner",
        "86(11)",
        "CC BY-SA 3.0",
        "60,000",
        "10,000",
        "70,000",
        "bundles",
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

    test = load_mnist(subset="test", data_home=home)
    np.testing.assert_array_equal(test.images, a["t10k-images-idx3-ubyte"])
    np.testing.assert_array_equal(test.target, a["t10k-labels-idx1-ubyte"])

    every = load_mnist(subset="all", data_home=home)
    assert every.data.shape == (10, 784) and every.data.flags.c_contiguous
    np.testing.assert_array_equal(
        every.images, np.concatenate([a["train-images-idx3-ubyte"], a["t10k-images-idx3-ubyte"]])
    )
    np.testing.assert_array_equal(
        every.target, np.concatenate([a["train-labels-idx1-ubyte"], a["t10k-labels-idx1-ubyte"]])
    )


def test_load_mnist_return_X_y(tmp_path, fake_mnist):
    X, y = load_mnist(
        subset="test", data_home=put(tmp_path, fake_mnist, names=TEST_FILES), return_X_y=True
    )
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
    X, y = load_mnist(subset="test", data_home=tmp_path, return_X_y=True)
    np.testing.assert_array_equal(y, fake_mnist.arrays["t10k-labels-idx1-ubyte"])


def test_load_mnist_data_home_from_env(tmp_path, fake_mnist, monkeypatch):
    monkeypatch.setenv("SKDIGIT_DATA_HOME", str(put(tmp_path / "env", fake_mnist)))
    _, y = load_mnist(subset="test", return_X_y=True)
    np.testing.assert_array_equal(y, fake_mnist.arrays["t10k-labels-idx1-ubyte"])


def test_load_mnist_order_data_home_then_env_then_bundled(
    tmp_path, fake_mnist, fake_bundled, monkeypatch
):
    # Each source holds other files, so what loads and what is missing shows which
    # folder was read, and that a chosen folder never falls back to the next one.
    argument = put(tmp_path / "argument", fake_mnist, names=TEST_FILES)
    env = put(tmp_path / "env", fake_mnist, names=TRAIN_FILES)
    monkeypatch.setenv("SKDIGIT_DATA_HOME", str(env))

    assert len(load_mnist(subset="test", data_home=argument).target) == 4
    with pytest.raises(MNISTNotFoundError) as excinfo:
        load_mnist(subset="train", data_home=argument)
    assert (excinfo.value.origin, excinfo.value.data_home) == ("data_home", argument)

    assert len(load_mnist(subset="train").target) == 6
    with pytest.raises(MNISTNotFoundError) as excinfo:
        load_mnist(subset="test")
    assert (excinfo.value.origin, excinfo.value.data_home) == ("SKDIGIT_DATA_HOME", env)

    for unset in [lambda: monkeypatch.delenv("SKDIGIT_DATA_HOME"),
                  lambda: monkeypatch.setenv("SKDIGIT_DATA_HOME", "")]:
        unset()
        assert len(load_mnist(subset="all").target) == 10  # the (fake) bundled copy


def test_load_mnist_data_home_expands_user(tmp_path, fake_mnist, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    put(tmp_path / "mnist", fake_mnist, names=TEST_FILES)
    _, y = load_mnist(subset="test", data_home="~/mnist", return_X_y=True)
    assert len(y) == 4


@pytest.mark.parametrize(
    "env, origin, advice",
    [
        (False, "the folder given by data_home", "Pass data_home= a folder"),
        (True, "the folder given by the SKDIGIT_DATA_HOME environment variable",
         "Point SKDIGIT_DATA_HOME at a folder"),
    ],
)
def test_load_mnist_missing_files(tmp_path, fake_mnist, monkeypatch, env, origin, advice):
    home = put(tmp_path / "partial", fake_mnist, names=["train-labels-idx1-ubyte"])
    if env:
        monkeypatch.setenv("SKDIGIT_DATA_HOME", str(home))
    with pytest.raises(MNISTNotFoundError) as excinfo:
        load_mnist(subset="all", data_home=None if env else home)

    exc = excinfo.value
    assert isinstance(exc, FileNotFoundError)
    missing = ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    assert exc.missing == missing and exc.data_home == home
    assert exc.origin == ("SKDIGIT_DATA_HOME" if env else "data_home")
    message = str(exc)
    assert f"missing from {home} ({origin}): " + ", ".join(missing) + " (" in message
    assert "train-labels-idx1-ubyte" not in message
    assert advice in message and "the copy bundled with skdigit" in message
    assert "download" not in message


@pytest.mark.parametrize("env", [False, True], ids=["data_home", "env"])
def test_load_mnist_data_home_is_a_file(tmp_path, monkeypatch, env):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    if env:
        monkeypatch.setenv("SKDIGIT_DATA_HOME", str(blocker))
    with pytest.raises(MNISTNotFoundError, match=f"^{re.escape(str(blocker))} .*is not a folder") as excinfo:
        load_mnist(subset="test", data_home=None if env else blocker)
    assert "Errno" not in str(excinfo.value)
    assert excinfo.value.missing == TEST_FILES and excinfo.value.data_home == blocker
    assert blocker.read_text() == "not a folder"


def test_load_mnist_data_home_does_not_exist(tmp_path):
    home = tmp_path / "no" / "such" / "folder"
    with pytest.raises(MNISTNotFoundError, match=f"^{re.escape(str(home))} .*does not exist") as excinfo:
        load_mnist(data_home=home)
    assert excinfo.value.missing == TRAIN_FILES
    assert not (tmp_path / "no").exists()  # nothing is created


def test_load_mnist_bundled_copy_incomplete(fake_bundled):
    (fake_bundled / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(MNISTNotFoundError, match="reinstall skdigit") as excinfo:
        load_mnist(subset="test")
    exc = excinfo.value
    assert (exc.missing, exc.data_home, exc.origin) == (
        ["t10k-labels-idx1-ubyte"], fake_bundled, "bundled"
    )
    assert "the copy bundled with skdigit" in str(exc)


def test_load_mnist_corrupted_local_file(tmp_path, fake_mnist):
    home = put(tmp_path, fake_mnist, names=TEST_FILES)
    bad = home / "t10k-images-idx3-ubyte.gz"
    tampered = bytearray(fake_mnist.payloads["t10k-images-idx3-ubyte"])
    tampered[100] ^= 1
    write(bad, bytes(tampered), gz=True)

    with pytest.raises(ValueError, match=r"SHA-256 of the decompressed payload") as excinfo:
        load_mnist(subset="test", data_home=home)

    message = str(excinfo.value)
    assert message.startswith(f"{bad}: ") and "\n" not in message
    assert "replace it with an intact copy" in message
    assert gzip.decompress(bad.read_bytes()) == bytes(tampered)  # never overwritten


def test_load_mnist_truncated_local_file(tmp_path, fake_mnist):
    home = put(tmp_path, fake_mnist, names=TEST_FILES)
    bad = home / "t10k-labels-idx1-ubyte.gz"
    bad.write_bytes(bad.read_bytes()[:-10])
    with pytest.raises(ValueError, match=r"truncated gzip data.*intact copy") as excinfo:
        load_mnist(subset="test", data_home=home)
    assert str(bad) in str(excinfo.value)


def test_load_mnist_forged_header_refused_before_allocating(tmp_path, fake_mnist, monkeypatch):
    # a header announcing more images than MNIST has: refused at once, naming the file
    home = put(tmp_path, fake_mnist, names=TEST_FILES)
    bad = write(home / "t10k-images-idx3-ubyte.gz",
                bytes([0, 0, 8, 3]) + np.array([10_001, 28, 28], ">u4").tobytes(), gz=True)
    monkeypatch.setattr(_idx.np, "empty", lambda *a, **k: 1 / 0)
    with pytest.raises(ValueError, match=r"announces shape \(10001, 28, 28\) of uint8, "
                       r"7840784 bytes, more than the limit of 7840000 bytes.*not the MNIST "
                       r"t10k-images-idx3-ubyte") as excinfo:
        load_mnist(subset="test", data_home=home)
    assert str(excinfo.value).startswith(f"{bad}: ")


def test_load_mnist_corrupted_bundled_copy_says_reinstall(fake_bundled, fake_mnist):
    bad = fake_bundled / "t10k-labels-idx1-ubyte.gz"
    write(bad, fake_mnist.payloads["t10k-labels-idx1-ubyte"][:-1] + b"\x09", gz=True)
    with pytest.raises(ValueError, match="bundled with skdigit is damaged: reinstall") as excinfo:
        load_mnist(subset="test")
    assert str(bad) in str(excinfo.value)


@pytest.mark.parametrize("download", [True, False])
def test_load_mnist_download_is_deprecated(tmp_path, fake_mnist, download):
    home = put(tmp_path, fake_mnist, names=TEST_FILES)
    match = r"has no effect since 0\.2 \(MNIST is bundled\) and will be removed in 0\.3"
    with pytest.warns(FutureWarning, match=match):
        _, y = load_mnist(subset="test", data_home=home, download=download, return_X_y=True)
    np.testing.assert_array_equal(y, fake_mnist.arrays["t10k-labels-idx1-ubyte"])
    # Missing files are an error whatever ``download`` says: nothing is fetched.
    with pytest.warns(FutureWarning, match=match), pytest.raises(MNISTNotFoundError):
        load_mnist(subset="train", data_home=home, download=download)


def test_load_mnist_without_download_does_not_warn(tmp_path, fake_mnist):
    home = put(tmp_path, fake_mnist, names=TEST_FILES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_mnist(subset="test", data_home=home)


# ------------------------------------------------------- the bundled files


def test_bundled_files_are_package_data():
    """Every bundled file is in the wheel: matched by pyproject's package-data."""
    tomllib = pytest.importorskip("tomllib")
    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["skdigit.datasets"]
    package = root / "skdigit" / "datasets"
    declared = {path for pattern in patterns for path in package.glob(pattern)}
    bundled = set((package / "data" / "mnist").iterdir())
    assert {p.name for p in bundled} == {f"{name}.gz" for name in ALL_FILES} | {"README.md"}
    assert declared == bundled


def test_bundled_readme_attributes_mnist():
    readme = (Path(_mnist.__file__).parent / "data" / "mnist" / "README.md").read_text()
    for fact in ["Yann LeCun", "Corinna Cortes", "Christopher J. C. Burges", "CC BY-SA 3.0",
                 "Gradient-based learning", *_mnist._SHA256.values()]:
        assert fact in readme


# ------------------------------------------------------------------- real MNIST


@pytest.fixture(scope="module")
def mnist_train(mnist_home):
    return load_mnist(subset="train", data_home=mnist_home)


@pytest.fixture(scope="module")
def mnist_test(mnist_home):
    return load_mnist(subset="test", data_home=mnist_home)


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
    X, y = load_mnist(subset="all", data_home=mnist_home, return_X_y=True)
    assert X.shape == (70000, 784) and X.dtype == np.uint8 and X.flags.c_contiguous
    assert y.shape == (70000,) and y.dtype == np.int64
    np.testing.assert_array_equal(X[:60000], mnist_train.data)
    np.testing.assert_array_equal(X[60000:], mnist_test.data)
    np.testing.assert_array_equal(y, np.concatenate([mnist_train.target, mnist_test.target]))


@pytest.mark.mnist
def test_real_mnist_bundled_by_default(mnist_home, mnist_test):
    # No data_home and no SKDIGIT_DATA_HOME (see _isolate): the bundled copy, which
    # is the folder the mnist_home fixture gives, inside the package.
    assert mnist_home == Path(_mnist.__file__).parent / "data" / "mnist"
    X, y = load_mnist(subset="test", return_X_y=True)
    np.testing.assert_array_equal(X, mnist_test.data)
    np.testing.assert_array_equal(y, mnist_test.target)
    np.testing.assert_array_equal(y, load_idx(mnist_home / "t10k-labels-idx1-ubyte.gz"))


@pytest.mark.mnist
def test_real_mnist_from_env_var(mnist_home, mnist_test, tmp_path, monkeypatch):
    copy = tmp_path / "copy"
    copy.mkdir()
    for name in TEST_FILES:  # raw, not gzipped: another copy than the bundled one
        (copy / name).write_bytes(gzip.decompress((mnist_home / f"{name}.gz").read_bytes()))
    monkeypatch.setenv("SKDIGIT_DATA_HOME", str(copy))
    X, y = load_mnist(subset="test", return_X_y=True)
    np.testing.assert_array_equal(X, mnist_test.data)
    np.testing.assert_array_equal(y, mnist_test.target)
    with pytest.raises(MNISTNotFoundError):  # no train files there, and no fallback
        load_mnist(subset="train")


@pytest.mark.mnist
def test_real_mnist_corrupted_copy_names_the_file(mnist_home, tmp_path):
    for name in TEST_FILES:
        shutil.copy(mnist_home / f"{name}.gz", tmp_path)
    bad = tmp_path / "t10k-labels-idx1-ubyte.gz"
    labels = bytearray(gzip.decompress(bad.read_bytes()))
    labels[-1] = (labels[-1] + 1) % 10  # one label changed: still a valid IDX file
    bad.write_bytes(gzip.compress(bytes(labels)))
    with pytest.raises(ValueError) as excinfo:
        load_mnist(subset="test", data_home=tmp_path)
    message = str(excinfo.value)
    assert message.startswith(f"{bad}: SHA-256 of the decompressed payload is ")
    assert f"expected {_mnist._SHA256['t10k-labels-idx1-ubyte']}" in message
    assert "t10k-images" not in message


@pytest.mark.mnist
def test_real_mnist_load_idx(mnist_home, mnist_test):
    path = next(Path(mnist_home).glob("t10k-images*"))
    images = load_idx(path)
    assert images.dtype == np.uint8
    np.testing.assert_array_equal(images, mnist_test.images)
