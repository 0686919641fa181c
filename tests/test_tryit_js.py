"""The try-it page's JavaScript preparation against skdigit.image, in Node.js.

``docs/_static/tryit/tryit.js`` prepares a drawing as
:func:`skdigit.image.load_digit_image` prepares one digit on a plain sheet
(ink against the paper, noise floor, ink level, Pillow's Lanczos resampling
into 20x20, centring by mass in 28x28). Here its ``prepare`` runs in Node.js
(skipped without ``node``) on drawings made with Pillow, and must give
skdigit.image's 28x28 image within 2 gray levels a pixel (float32 against
float64 in places, halves rounded up against to even; a pixel's shift or
another resampling is tens of levels). The browser check
(``docs/check_site.py``) compares the two on drawings made on the page itself.

The page's pen (a fourteenth of the pad) is never thin after the fit into
20x20: skdigit.image's stroke-width step (thickening thin strokes) is not in
the page, and these drawings do not need it.
"""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("PIL")
from PIL import Image, ImageDraw  # noqa: E402

from skdigit.image import load_digit_image  # noqa: E402

TRYIT_JS = Path(__file__).resolve().parents[1] / "docs" / "_static" / "tryit" / "tryit.js"
TOLERANCE = 2  # gray levels, as docs/check_site.py's TRYIT_IMAGE_TOLERANCE

# Runs tryit.js without a page (its start waits for DOMContentLoaded, which
# never comes) and prints prepare() of each RGBA image read from stdin.
HARNESS = """
globalThis.window = globalThis;
globalThis.document = {readyState: "loading", addEventListener() {}};
require(process.argv[1]);
let text = "";
process.stdin.on("data", (chunk) => { text += chunk; });
process.stdin.on("end", () => {
  const out = JSON.parse(text).map(([w, h, rgba]) =>
    window.skdigitTryIt.prepare(Uint8ClampedArray.from(rgba), w, h));
  process.stdout.write(JSON.stringify(out));
});
"""


def _drawing(strokes, size=280, pen=20, ink=(0, 0, 0), paper=(255, 255, 255)):
    """Strokes (polylines in a unit square) drawn with a round pen, as RGBA."""
    image = Image.new("RGBA", (size, size), (*paper, 255))
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        points = [(size * (0.1 + 0.8 * x), size * (0.1 + 0.8 * y)) for x, y in stroke]
        draw.line(points, fill=(*ink, 255), width=pen, joint="curve")
        for x, y in points:
            draw.ellipse([x - pen / 2, y - pen / 2, x + pen / 2, y + pen / 2], fill=(*ink, 255))
    return image


def _drawings():
    t = np.linspace(0, 2 * np.pi, 40)
    return {
        "a 7": _drawing([[(0.2, 0.1), (0.8, 0.1), (0.4, 0.9)]]),
        "a 0": _drawing([np.c_[0.5 + 0.28 * np.sin(t), 0.5 - 0.4 * np.cos(t)]]),
        "an 8": _drawing([np.c_[0.5 + 0.22 * np.sin(2 * t), 0.5 - 0.4 * np.cos(t)]]),
        "a small 4, off centre": _drawing(
            [[(0.1, 0.1), (0.0, 0.3), (0.25, 0.3)], [(0.12, 0.15), (0.12, 0.4)]]),
        'an "H"': _drawing([[(0.2, 0.1), (0.2, 0.9)], [(0.8, 0.1), (0.8, 0.9)],
                            [(0.2, 0.5), (0.8, 0.5)]]),
        "a 1, blue on grey": _drawing([[(0.45, 0.2), (0.55, 0.05), (0.52, 0.95)]],
                                      ink=(30, 40, 160), paper=(225, 225, 225)),
        "a wide 2, 400x340": _drawing([[(0.1, 0.3), (0.5, 0.0), (0.8, 0.3), (0.1, 0.9),
                                         (0.95, 0.9)]], size=400, pen=28).crop((0, 20, 400, 360)),
    }


@pytest.fixture(scope="module")
def prepared_in_node():
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed")
    drawings = _drawings()
    payload = [[im.width, im.height, np.asarray(im).ravel().tolist()]
               for im in drawings.values()]
    result = subprocess.run(
        [node, "-e", HARNESS, str(TRYIT_JS)], input=json.dumps(payload),
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(zip(drawings, json.loads(result.stdout))), drawings


@pytest.mark.parametrize("name", list(_drawings()))
def test_page_prepares_a_drawing_as_skdigit_image(prepared_in_node, name):
    page, drawings = prepared_in_node
    expected = load_digit_image(drawings[name]).astype(float)
    got = np.asarray(page[name], dtype=float)
    assert got.shape == (784,)
    gap = np.abs(got - expected)
    assert gap.max() <= TOLERANCE, (
        f"{name}: up to {gap.max():.0f} gray levels apart in {int((gap > 0).sum())} pixels")


def test_page_prepares_nothing_from_a_blank_pad(prepared_in_node):
    node = shutil.which("node")
    blank = [[20, 10, [255] * (4 * 200)]]
    result = subprocess.run([node, "-e", HARNESS, str(TRYIT_JS)], input=json.dumps(blank),
                            capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(result.stdout) == [None]
