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
 * `version`/`predictedVersion` whether that prediction is of the current
 * drawing, `timings` (ms since the page's navigation began).
 */
(function () {
  "use strict";

  const SIDE = 28;   // MNIST's field
  const BOX = 20;    // the ink's longer side in it
  const CENTRE = 14; // where MNIST has the centre of mass (row, column)
  const RIM = 4;     // output pixels of faint ink kept around the strong ink

  const state = (window.skdigitTryIt = {
    ready: false, error: null, version: 0, predictedVersion: 0, predictions: 0,
    input: null, label: null, probabilities: null, timings: {},
  });

  // ---- the preparation (skdigit.image, steps 7-8, for one digit) ----------

  // Ink in [0, 1] per pixel of an RGBA image: the paper's level is the median
  // of the border; ink is whichever way the strokes differ from it.
  function inkOf(rgba, width, height) {
    const n = width * height, gray = new Float32Array(n), border = [];
    for (let i = 0; i < n; i++) {
      const a = rgba[4 * i + 3] / 255; // transparent: white paper
      gray[i] = (a * (0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] +
                      0.114 * rgba[4 * i + 2]) + (1 - a) * 255) / 255;
      const x = i % width, y = (i - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) border.push(gray[i]);
    }
    border.sort((a, b) => a - b);
    const paper = border[border.length >> 1];
    const dark = paper >= 0.5; // dark ink on light paper (or light on dark)
    const range = dark ? paper : 1 - paper;
    const ink = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = range > 0 ? (dark ? paper - gray[i] : gray[i] - paper) / range : 0;
      ink[i] = v > 0.1 ? Math.min(v, 1) : 0; // 0.1: the paper's noise
    }
    return ink;
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

  // The 784 intensities (0-255) of the digit in `ink`, or null if blank:
  // crop to the ink, fit the strong ink's box in 20x20 keeping the aspect
  // (area average), stretch the contrast to 255, shift by whole pixels to put
  // the centre of mass at (14, 14) in 28x28.
  function prepare(ink, width, height) {
    let peak = 0;
    for (const v of ink) if (v > peak) peak = v;
    if (peak === 0) return null;
    const strong = bbox(ink, width, height, peak / 2), all = bbox(ink, width, height, 0);
    const scale = BOX / Math.max(strong.bottom - strong.top, strong.right - strong.left);
    const rim = Math.floor(RIM / scale);
    const top = Math.max(all.top, strong.top - rim), left = Math.max(all.left, strong.left - rim);
    const h = Math.min(all.bottom, strong.bottom + rim) - top;
    const w = Math.min(all.right, strong.right + rim) - left;
    const H = Math.max(1, Math.round(h * scale)), W = Math.max(1, Math.round(w * scale));
    // each output pixel: the mean of the pixels it covers (at least one: a
    // tiny drawing is enlarged)
    const span = (o, n, N) => [Math.floor((o * n) / N),
                               Math.max(Math.floor((o * n) / N) + 1, Math.floor(((o + 1) * n) / N))];
    const mean = new Float64Array(H * W);
    let level = 0;
    for (let oy = 0; oy < H; oy++) {
      const [y0, y1] = span(oy, h, H);
      for (let ox = 0; ox < W; ox++) {
        const [x0, x1] = span(ox, w, W);
        let sum = 0;
        for (let y = y0; y < y1; y++) {
          for (let x = x0; x < x1; x++) sum += ink[(top + y) * width + left + x];
        }
        mean[oy * W + ox] = sum / ((y1 - y0) * (x1 - x0));
        level = Math.max(level, mean[oy * W + ox]);
      }
    }
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

  async function createSession() {
    // One thread: a page opened from disk cannot share memory with workers.
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.proxy = false;
    const [wasm, model] = await Promise.all([
      unpack(window.SKDIGIT_ORT.wasm_gz_b64), unpack(window.SKDIGIT_MODEL.onnx_gz_b64),
    ]);
    state.timings.unpacked = performance.now();
    ort.env.wasm.wasmBinary = wasm;
    const module = new Blob([window.SKDIGIT_ORT.module], { type: "text/javascript" });
    ort.env.wasm.wasmPaths = { mjs: URL.createObjectURL(module) };
    // "basic": the session is ready sooner than with "all" (the default), and one
    // digit takes milliseconds either way
    return ort.InferenceSession.create(model, {
      executionProviders: ["wasm"], graphOptimizationLevel: "basic",
    });
  }

  // ---- the page -------------------------------------------------------------

  function start(root) {
    const pad = root.querySelector(".skdigit-tryit-pad");
    const seen = root.querySelector(".skdigit-tryit-seen");
    const bars = root.querySelector(".skdigit-tryit-bars");
    const answer = root.querySelector(".skdigit-tryit-answer");
    const status = root.querySelector(".skdigit-tryit-status");
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

    function show(digit, label, probabilities) {
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
      answer.textContent = label === null ? "\u2013" : String(label); // an en dash
      root.dataset.label = label === null ? "" : String(label);
      root.dataset.input = digit ? digit.join(",") : "";
    }

    let session = null, running = false;
    async function predict() {
      if (!session || running) return;
      running = true;
      try {
        while (state.predictedVersion !== state.version) {
          const version = state.version;
          const rgba = ctx.getImageData(0, 0, pad.width, pad.height).data;
          const digit = prepare(inkOf(rgba, pad.width, pad.height), pad.width, pad.height);
          let label = null, probabilities = null;
          if (digit) {
            const X = new ort.Tensor("float32", Float32Array.from(digit), [1, SIDE * SIDE]);
            const out = await session.run({ X });
            probabilities = Array.from(out.probabilities.data);
            label = Number(out.label.data[0]);
          }
          show(digit, label, probabilities);
          Object.assign(state, { input: digit, label, probabilities, predictedVersion: version });
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
    show(null, null, null);
    status.textContent = "Loading the model...";
    createSession().then(
      (created) => {
        session = created;
        state.ready = true;
        state.timings.ready = performance.now();
        status.textContent = `Model: ${window.SKDIGIT_MODEL.name}, ` +
          `${(window.SKDIGIT_MODEL.bytes / 1e6).toFixed(2)} MB of ONNX, run by ` +
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
