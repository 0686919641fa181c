"""Decoding large images: the same pixels as a whole-image conversion, in bounded memory."""

import io
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

Image = pytest.importorskip("PIL.Image")

from skdigit.image._decode import _convert_and_reduce, to_gray  # noqa: E402


def _random_image(mode, size, rng):
    if mode == "P":
        img = Image.fromarray(rng.integers(0, 256, size[::-1], dtype=np.uint8), "L")
        img = img.convert("P")
        img.putpalette(rng.integers(0, 256, 768, dtype=np.uint8).tobytes())
        return img
    if mode == "I;16":
        img = Image.fromarray(rng.integers(0, 65536, size[::-1], dtype=np.uint16))
        assert img.mode == "I;16"
        return img
    bands = len(Image.new(mode, (1, 1)).getbands())
    arr = rng.integers(0, 256, (size[1], size[0], bands), dtype=np.uint8)
    return Image.fromarray(arr[..., 0] if bands == 1 else arr, mode)


@pytest.mark.parametrize("mode, modes", [
    ("RGB", ["L"]), ("RGBA", []), ("LA", ["RGBA"]), ("P", ["RGB", "L"]),
    ("P", ["RGBA"]), ("I;16", ["I"]), ("L", []),
])
@pytest.mark.parametrize("factor", [1, 3, 7])
def test_band_by_band_is_the_whole_image_conversion(monkeypatch, mode, modes, factor):
    """Converting and reducing band by band (bands of a few rows here) gives the
    pixels of converting the whole image and reducing it, partial blocks
    at the right and bottom edges included."""
    import skdigit.image._decode as decode

    rng = np.random.default_rng(0)
    img = _random_image(mode, (101, 89), rng)
    if modes == ["RGBA"] and mode == "P":
        img.info["transparency"] = 5
    whole = img
    for target in modes:
        whole = whole.convert(target)
    if factor > 1:
        whole = whole.reduce(factor)
    monkeypatch.setattr(decode, "_BAND_PIXELS", 101 * factor * 2)  # two blocks a band
    banded = _convert_and_reduce(img, modes, factor, Image)
    assert banded.mode == whole.mode and banded.size == whole.size
    np.testing.assert_array_equal(np.asarray(banded), np.asarray(whole))


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "LA"])
def test_large_png_reads_as_before(mode):
    """to_gray of a PNG above the working side: the values of the whole-image
    conversion then reduction (the reader before it went band by band)."""
    rng = np.random.default_rng(1)
    img = _random_image(mode, (2500, 1300), rng)
    data = io.BytesIO()
    img.save(data, format="PNG")
    gray, factor = to_gray(data.getvalue(), "x", None, None)
    assert factor == 3
    if mode == "P":
        img = img.convert("RGB")
    if mode in ("RGBA", "LA"):
        reference = img.convert("RGBA").reduce(3)
        arr = np.asarray(reference).astype(np.float32) / 255
        g = arr[..., :3] @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
        alpha = arr[..., 3]
        visible = alpha > 0.5
        background = 0.0 if gray.size and g[visible].mean() > 0.5 and not visible.all() else 1.0
        expected = g * alpha + background * (1 - alpha)
    else:
        expected = np.asarray(img.convert("L").reduce(3)).astype(np.float32) / 255
    np.testing.assert_allclose(gray, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self")
def test_a_large_png_costs_little_more_than_its_decoded_pixels(tmp_path):
    """Issue 28: a small PNG of 7,000 x 7,000 RGBA pixels (196 MB decoded) took
    565 MB beyond the process's memory to read into one digit (a copy to set
    it upright, another to convert it, then the reduction); now its decoded
    pixels and a band at a time (about 230 MB)."""
    path = tmp_path / "big.png"
    code = textwrap.dedent(f"""
        import ctypes, gc
        from PIL import Image, ImageDraw
        from skdigit.image import load_digit_image

        def status(key):
            with open("/proc/self/status") as f:
                return next(int(l.split()[1]) * 1024 for l in f if l.startswith(key))

        img = Image.new("RGBA", (7000, 7000), "white")
        ImageDraw.Draw(img).ellipse((2000, 1500, 5000, 5500), outline="black", width=300)
        img.save({str(path)!r})
        del img
        load_digit_image({str(path)!r})  # once first: the imports and first-call costs
        gc.collect()
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except OSError:
            pass
        before = status("VmRSS:")
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            print("skip")
            raise SystemExit
        load_digit_image({str(path)!r})
        print(status("VmHWM:") - before)
    """)
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=root, check=True).stdout.split()[-1]
    if out == "skip":
        pytest.skip("this kernel does not let a process reset its peak memory")
    assert int(out) < 350 * 2**20, f"{int(out) / 2**20:.0f} MB"
