/* skdigit's "try it" page: draw a digit (mouse, pen or touch) or pick an image,
 * prepare it as skdigit.image prepares one digit, and read it with the exported
 * model in onnxruntime-web, in the page, offline.
 *
 * Needs, loaded before it: ort.wasm.min.js (window.ort), ort-wasm-runtime.js
 * (window.SKDIGIT_ORT) and model.js (window.SKDIGIT_MODEL), written by the docs
 * build (docs/sphinxext/tryit_assets.py).
 *
 * window.skdigitTryIt is the page's state, for the browser check
 * (docs/check_site.py): `input` is the 28x28 image the model last read (784
 * intensities 0-255, row after row), `label` and `probabilities` what it gave,
 * `likeness` the digit detector's score (skdigit.image.digit_likeness) and
 * `isDigit` the page's decision (skdigit.image.is_digit),
 * `version`/`predictedVersion` whether that prediction is of the current
 * drawing, `timings` (ms since the page's navigation began), and
 * `prepare(rgba, width, height)` the preparation itself.
 */
(function () {
  "use strict";

  const SIDE = 28;   // MNIST's field
  const BOX = 20;    // the ink's longer side in it
  const CENTRE = 14; // where MNIST has the centre of mass (row, column)
  const RIM = 4;     // output pixels of faint ink kept around the strong ink

  const state = (window.skdigitTryIt = {
    ready: false, error: null, version: 0, predictedVersion: 0, predictions: 0,
    input: null, label: null, probabilities: null, likeness: null, isDigit: null,
    timings: {},
  });

  // ---- the preparation (skdigit.image, steps 5, 7 and 8, for one digit) ----

  // Ink in [0, 1] per pixel of an RGBA image, as skdigit.image's ink_image
  // finds it on a plain sheet: the paper's level is the median of the border,
  // ink is whichever way the strokes differ from it (its contrast, a fraction
  // of the paper's level); the noise floor is the contrast's median plus four
  // robust standard deviations (1.4826 MAD); the strong ink is above halfway
  // from the floor to the peak (the highest contrast a whole 2x2 block
  // reaches); the ink is stretched so that the strong ink's 75th percentile
  // is 1. Returns {ink, strong} (strong: 1 where strong).
  function inkOf(rgba, width, height) {
    const n = width * height, gray = new Float32Array(n), border = [];
    for (let i = 0; i < n; i++) {
      const a = rgba[4 * i + 3] / 255; // transparent: white paper
      gray[i] = (a * (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] +
                      0.114 * rgba[4 * i + 2]) + (1 - a) * 255) / 255;
      const x = i % width, y = (i - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border.push(gray[i]);
    }
    const median = (values) => { // NumPy's: the mean of the middle two of an even count
      const sorted = Float64Array.from(values).sort(), half = sorted.length >> 1;
      return sorted.length % 2 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    };
    const paper = median(border);
    const dark = paper >= 0.5; // dark ink on light paper (or light on dark)
    const range = Math.max(dark ? paper : 1 - paper, 0.5);
    const contrast = gray.map((g) => Math.min(Math.max((dark ? paper - g : g - paper) / range, 0), 1));
    const middle = median(contrast);
    const noise = middle + 4 * 1.4826 * median(contrast.map((v) => Math.abs(v - middle)));
    let peak = 0;
    for (let y = 0; y + 1 < height; y++) {
      for (let x = 0, i = y * width; x + 1 < width; x++, i++) {
        peak = Math.max(peak, Math.min(contrast[i], contrast[i + 1],
                                       contrast[i + width], contrast[i + width + 1]));
      }
    }
    // (a level exactly halfway, a stroke's anti-aliased edge, is not strong)
    const high = noise + 0.5 * (peak - noise) + 1e-5;
    const strong = contrast.map((v) => (v > high ? 1 : 0));
    const levels = contrast.filter((v) => v > high).sort();
    const at = 0.75 * (levels.length - 1), below = Math.floor(at); // NumPy's percentile
    const level = levels.length ? levels[below] +
      (at - below) * (levels[Math.min(below + 1, levels.length - 1)] - levels[below]) : 1;
    const ink = contrast.map((v) => (v > noise ? Math.min((v - noise) / Math.max(level - noise, 1e-6), 1) : 0));
    return { ink, strong };
  }

  function bbox(ink, width, height, level) {
    let top = height, bottom = -1, left = width, right = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        if (ink[y * width + x] > level) {
          if (y < top) top = y;
          if (y > bottom) bottom = y;
          if (x < left) left = x;
          if (x > right) right = x;
        }
      }
    }
    return bottom < 0 ? null : { top, bottom: bottom + 1, left, right: right + 1 };
  }

  // Pillow's Lanczos resampling (Image.resize with Image.Resampling.LANCZOS,
  // as skdigit.image uses it on a float image): along one axis, n input pixels
  // to N, each output pixel a normalized window of lanczos3 weights stretched
  // by the reduction (which anti-aliases). Returns [first input pixel, weights]
  // for each output pixel.
  function lanczosWeights(n, N) {
    const sinc = (x) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
    const lanczos = (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0);
    const scale = n / N, stretch = Math.max(scale, 1), support = 3 * stretch;
    const rows = [];
    for (let o = 0; o < N; o++) {
      const centre = (o + 0.5) * scale;
      const first = Math.max(Math.trunc(centre - support + 0.5), 0);
      const last = Math.min(Math.trunc(centre + support + 0.5), n);
      const weights = [];
      let total = 0;
      for (let i = first; i < last; i++) {
        const w = lanczos((i - centre + 0.5) / stretch);
        weights.push(w);
        total += w;
      }
      rows.push([first, total === 0 ? weights : weights.map((w) => w / total)]);
    }
    return rows;
  }

  // The h x w block of `ink` (row stride `width`) at (top, left) resized to
  // H x W: rows first, then columns, through float32 as Pillow does.
  function resize(ink, width, top, left, h, w, H, W) {
    if (H === h && W === w) {
      const copy = new Float32Array(h * w);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) copy[y * w + x] = ink[(top + y) * width + left + x];
      }
      return copy;
    }
    const across = lanczosWeights(w, W), down = lanczosWeights(h, H);
    const wide = new Float32Array(h * W);
    for (let y = 0; y < h; y++) {
      const row = (top + y) * width + left;
      across.forEach(([first, weights], ox) => {
        let sum = 0;
        weights.forEach((k, i) => { sum += ink[row + first + i] * k; });
        wide[y * W + ox] = sum;
      });
    }
    const out = new Float32Array(H * W);
    down.forEach(([first, weights], oy) => {
      for (let ox = 0; ox < W; ox++) {
        let sum = 0;
        weights.forEach((k, i) => { sum += wide[(first + i) * W + ox] * k; });
        out[oy * W + ox] = sum;
      }
    });
    return out;
  }

  // The 784 intensities (0-255) of the digit in `ink`, or null if blank, as
  // skdigit.image's fit_and_centre: crop to the ink, fit the strong ink's box
  // in 20x20 keeping the aspect (Lanczos), stretch the contrast to 255, shift
  // by whole pixels to put the centre of mass at (14, 14) in 28x28.
  function prepare({ ink, strong: strongInk }, width, height) {
    const strong = bbox(strongInk, width, height, 0), all = bbox(ink, width, height, 0);
    if (strong === null) return null;
    const scale = BOX / Math.max(strong.bottom - strong.top, strong.right - strong.left);
    const rim = Math.floor(RIM / scale);
    const top = Math.max(all.top, strong.top - rim), left = Math.max(all.left, strong.left - rim);
    const h = Math.min(all.bottom, strong.bottom + rim) - top;
    const w = Math.min(all.right, strong.right + rim) - left;
    const H = Math.max(1, Math.round(h * scale)), W = Math.max(1, Math.round(w * scale));
    const mean = resize(ink, width, top, left, h, w, H, W).map((v) => Math.min(Math.max(v, 0), 1));
    let level = 0;
    for (const v of mean) if (v > level) level = v;
    const small = Array.from(mean, (v) => Math.round((255 * v) / level));
    let mass = 0, my = 0, mx = 0;
    small.forEach((v, o) => { mass += v; my += v * Math.floor(o / W); mx += v * (o % W); });
    const dy = Math.floor(CENTRE - my / mass + 0.5), dx = Math.floor(CENTRE - mx / mass + 0.5);
    const digit = new Array(SIDE * SIDE).fill(0);
    small.forEach((v, o) => {
      const y = Math.floor(o / W) + dy, x = (o % W) + dx;
      if (y >= 0 && y < SIDE && x >= 0 && x < SIDE) digit[y * SIDE + x] = v;
    });
    return digit;
  }

  // The 784 intensities the page gives its models for an RGBA image (or null if
  // blank): for the browser check and tests/test_tryit_js.py.
  state.prepare = (rgba, width, height) => prepare(inkOf(rgba, width, height), width, height);

  // ---- the model ------------------------------------------------------------

  // base64 -> gzip -> bytes, without fetch() (which a page opened from disk
  // may not use, and a data: URL of megabytes is slow)
  async function unpack(b64gz) {
    let gz;
    if (Uint8Array.fromBase64) {
      gz = Uint8Array.fromBase64(b64gz);
    } else {
      const text = atob(b64gz);
      gz = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) gz[i] = text.charCodeAt(i);
    }
    const stream = new Blob([gz]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  // The two sessions: the digit model and the digit detector (is it a digit
  // at all? skdigit.image.digit_likeness).
  async function createSessions() {
    // One thread: a page opened from disk cannot share memory with workers.
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    const [wasm, model, detector] = await Promise.all([
      unpack(window.SKDIGIT_ORT.wasm_gz_b64), unpack(window.SKDIGIT_MODEL.onnx_gz_b64),
      unpack(window.SKDIGIT_MODEL.detector.onnx_gz_b64),
    ]);
    state.timings.unpacked = performance.now();
    ort.env.wasm.wasmBinary = wasm;
    const module = new Blob([window.SKDIGIT_ORT.module], { type: "text/javascript" });
    ort.env.wasm.wasmPaths = { mjs: URL.createObjectURL(module) };
    // "basic": the session is ready sooner than with "all" (the default), and one
    // digit takes milliseconds either way
    const options = { executionProviders: ["wasm"], graphOptimizationLevel: "basic" };
    // one after the other: the first initializes the runtime
    const first = await ort.InferenceSession.create(model, options);
    return { model: first, detector: await ort.InferenceSession.create(detector, options) };
  }

  // ---- the page -------------------------------------------------------------

  function start(root) {
    const pad = root.querySelector(".skdigit-tryit-pad");
    const seen = root.querySelector(".skdigit-tryit-seen");
    const bars = root.querySelector(".skdigit-tryit-bars");
    const answer = root.querySelector(".skdigit-tryit-answer");
    const status = root.querySelector(".skdigit-tryit-status");
    const verdict = root.querySelector(".skdigit-tryit-verdict");
    const ctx = pad.getContext("2d", { willReadFrequently: true });
    const rows = [];
    for (let k = 0; k < 10; k++) {
      const row = document.createElement("div");
      row.className = "skdigit-tryit-row";
      row.innerHTML = `<span class="skdigit-tryit-class">${k}</span>` +
        '<span class="skdigit-tryit-track"><span class="skdigit-tryit-bar"></span></span>' +
        '<span class="skdigit-tryit-value"></span>';
      bars.appendChild(row);
      rows.push(row);
    }

    function clear() {
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, pad.width, pad.height);
      changed();
    }

    function show(digit, label, probabilities, likeness, isDigit) {
      const small = seen.getContext("2d"), image = small.createImageData(SIDE, SIDE);
      for (let i = 0; i < SIDE * SIDE; i++) {
        const v = digit ? digit[i] : 0;
        image.data.set([v, v, v, 255], 4 * i);
      }
      small.putImageData(image, 0, 0);
      const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
      rows.forEach((row, k) => {
        const p = probabilities ? probabilities[k] : 0;
        row.querySelector(".skdigit-tryit-bar").style.width = `${(100 * p).toFixed(1)}%`;
        row.querySelector(".skdigit-tryit-value").textContent =
          probabilities ? `${(100 * p).toFixed(1)}%` : "";
        row.classList.toggle("skdigit-tryit-best", k === best);
      });
      // an en dash before the first digit; "?" for what is not surely a digit
      answer.textContent = label === null ? "\u2013" : isDigit ? String(label) : "?";
      answer.classList.toggle("skdigit-tryit-unsure", label !== null && !isDigit);
      verdict.textContent = label === null ? "" : verdictOf(label, probabilities, likeness);
      root.dataset.label = label === null ? "" : String(label);
      root.dataset.isDigit = label === null ? "" : String(isDigit);
      root.dataset.input = digit ? digit.join(",") : "";
    }

    // What skdigit's app says (skdigit.image.is_digit's two reasons), with the
    // detector's score
    function verdictOf(label, probabilities, likeness) {
      const p = Math.max(...probabilities), score = `digit likeness ${likeness.toFixed(2)}`;
      if (p < window.SKDIGIT_MODEL.min_probability) {
        return `Not sure: the model is unsure (${label} at ${(100 * p).toFixed(1)}%): ` +
          `is it one digit, large and centred? (${score})`;
      }
      if (likeness < 0) {
        return `Not a digit? It looks more like a letter or a scribble than any digit ` +
          `skdigit was trained on (${score}, below 0; the model's guess: ${label}).`;
      }
      return `A digit (${score}, at least 0).`;
    }

    let sessions = null, running = false;
    async function predict() {
      if (!sessions || running) return;
      running = true;
      try {
        while (state.predictedVersion !== state.version) {
          const version = state.version;
          const rgba = ctx.getImageData(0, 0, pad.width, pad.height).data;
          const digit = prepare(inkOf(rgba, pad.width, pad.height), pad.width, pad.height);
          let label = null, probabilities = null, likeness = null, isDigit = null;
          if (digit) {
            const X = new ort.Tensor("float32", Float32Array.from(digit), [1, SIDE * SIDE]);
            const out = await sessions.model.run({ X });
            probabilities = Array.from(out.probabilities.data);
            label = Number(out.label.data[0]);
            // the detector's ten scores, one a digit class: the largest is the likeness
            likeness = Math.max(...(await sessions.detector.run({ X })).variable.data);
            // skdigit.image.is_digit: sure enough, and digit-like
            isDigit = Math.max(...probabilities) >= window.SKDIGIT_MODEL.min_probability &&
              likeness >= 0;
          }
          show(digit, label, probabilities, likeness, isDigit);
          Object.assign(state, {
            input: digit, label, probabilities, likeness, isDigit, predictedVersion: version,
          });
          if (digit) {
            state.predictions += 1;
            if (state.timings.firstPrediction === undefined) {
              state.timings.firstPrediction = performance.now();
            }
          }
        }
      } catch (error) {
        fail(error);
      } finally {
        running = false;
      }
    }

    function changed() {
      state.version += 1;
      predict();
    }

    function fail(error) {
      state.error = String(error && error.message ? error.message : error);
      status.textContent = `The model could not run: ${state.error}`;
      status.classList.add("skdigit-tryit-error");
      console.error("skdigit try-it:", error);
    }

    // drawing: pointer events cover the mouse, pens and touch
    let last = null;
    function point(event) {
      const box = pad.getBoundingClientRect();
      return [(event.clientX - box.left) * (pad.width / box.width),
              (event.clientY - box.top) * (pad.height / box.height)];
    }
    function stroke(from, to) {
      ctx.strokeStyle = "#000";
      ctx.lineWidth = pad.width / 14;
      ctx.lineCap = ctx.lineJoin = "round";
      ctx.beginPath();
      ctx.moveTo(...from);
      ctx.lineTo(...to);
      ctx.stroke();
    }
    pad.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      pad.setPointerCapture(event.pointerId);
      last = point(event);
      if (state.timings.firstInput === undefined) state.timings.firstInput = performance.now();
      stroke(last, last);
      changed();
    });
    pad.addEventListener("pointermove", (event) => {
      if (last === null) return;
      const next = point(event);
      stroke(last, next);
      last = next;
      changed();
    });
    for (const type of ["pointerup", "pointercancel"]) {
      pad.addEventListener(type, () => { last = null; });
    }

    root.querySelector(".skdigit-tryit-clear").addEventListener("click", clear);
    root.querySelector(".skdigit-tryit-file").addEventListener("change", async (event) => {
      const file = event.target.files[0];
      if (!file) return;
      try {
        const image = await createImageBitmap(file);
        const fit = Math.min(pad.width / image.width, pad.height / image.height);
        const w = image.width * fit, h = image.height * fit;
        ctx.fillStyle = "#fff";
        ctx.fillRect(0, 0, pad.width, pad.height);
        ctx.drawImage(image, (pad.width - w) / 2, (pad.height - h) / 2, w, h);
        changed();
      } catch (error) {
        status.textContent = `Could not read ${file.name}: ${error.message || error}`;
      }
    });

    clear();
    show(null, null, null, null, null);
    status.textContent = "Loading the model...";
    createSessions().then(
      (created) => {
        sessions = created;
        state.ready = true;
        state.timings.ready = performance.now();
        status.textContent = `Model: ${window.SKDIGIT_MODEL.name}, ` +
          `${(window.SKDIGIT_MODEL.bytes / 1e6).toFixed(2)} MB of ONNX, and the digit ` +
          `detector (${(window.SKDIGIT_MODEL.detector.bytes / 1e6).toFixed(2)} MB), run by ` +
          `onnxruntime-web ${window.SKDIGIT_ORT.version} (WebAssembly, in this page).`;
        predict();
      },
      fail,
    );
  }

  function init() {
    state.timings.init = performance.now();
    const root = document.getElementById("skdigit-tryit");
    if (!root) return;
    if (!window.ort || !window.SKDIGIT_ORT || !window.SKDIGIT_MODEL) {
      root.querySelector(".skdigit-tryit-status").textContent =
        "The model's files are missing from this build of the documentation.";
      console.error("skdigit try-it: ort, SKDIGIT_ORT or SKDIGIT_MODEL not loaded");
      return;
    }
    start(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
