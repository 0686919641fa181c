"""The Streamlit page of ``skdigit app``: upload, photograph or draw digits; see what the model says.

Run it with ``skdigit app`` (see :func:`skdigit.app.launch`), or directly with
``streamlit run skdigit/app/_streamlit_app.py``. It is configured through the
environment, which :func:`~skdigit.app.launch` sets from its arguments:

- ``SKDIGIT_APP_MODEL``: a saved model file to use; without it the model
  shipped with skdigit (see :mod:`skdigit.app._model`).

Everything runs inside :func:`main`, which Streamlit calls (it runs this file
as ``__main__``); importing the module does nothing and needs no Streamlit.
"""

import io

from skdigit.app import _model

UPLOAD_TYPES = ["png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff", "webp"]
PREVIEW_SCALE = 8  # 28x28 shown as 224x224
CANVAS_SIDE = 280
# ``st.space`` between the drawing instructions and the canvas: room for the
# canvas's toolbar (0.75rem, with the gaps on either side 2.75rem).
TOOLBAR_CLEARANCE = "small"


def _canvas():
    """The drawing component, or None if streamlit-drawable-canvas is missing."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except Exception:  # not installed, or incompatible with this Streamlit
        return None
    return st_canvas


# The page's invert control: its choices and the reader's ``invert`` for each.
INK_CHOICES = {
    "Decide for me": "auto",
    "Dark ink on light paper": True,
    "Light ink on a dark background": False,
}


def _page_wording(message):
    """A reader's message with its Python-API advice said in terms of the page."""
    return (message.replace("pass invert=True/False", "choose the ink under 'Ink' above")
            .replace("try the other invert", "try the other choice under 'Ink' above"))


def _read_digit(data, name, invert="auto"):
    """The 28x28 MNIST-style vector of an image's bytes, errors naming ``name``."""
    from skdigit.app._reads import reading_slot
    from skdigit.image import load_digit_image
    from skdigit.utils import MNIST_SHAPE

    source = io.BytesIO(data)
    source.name = name  # what the reader's messages call the image
    with reading_slot():  # a bounded number of images decoded at once, all sessions
        x = load_digit_image(source, invert=invert)
    return x.reshape(MNIST_SHAPE[0] * MNIST_SHAPE[1]).astype("uint8", copy=False)


def main():
    """Build the page (one Streamlit run)."""
    import pandas as pd
    import streamlit as st

    from skdigit._digit_model import image_error_message
    from skdigit._persistence import ModelFileError

    st.set_page_config(page_title="skdigit: digit recognizer", layout="centered")
    st.title("Handwritten digit recognizer")

    @st.cache_resource(show_spinner=False, max_entries=4)
    def cached_model(model_path, stamp):
        # ``stamp`` (the model file's mtime) reloads a file that was rewritten.
        return _model.get_model(model_path)

    model_path = _model.resolve_model_path()
    stamp = None
    if model_path is not None and model_path.is_file():
        stamp = model_path.stat().st_mtime_ns
    try:
        with st.spinner("Loading the model..."):
            model, description = cached_model(
                None if model_path is None else str(model_path), stamp
            )
    except ModelFileError as exc:
        st.error(f"**Cannot use the model.** {exc}")
        st.stop()
    st.caption(f"Model: {description}.")

    st_canvas = _canvas()
    modes = ["Upload an image", "Take a photo"]
    if st_canvas is not None:
        modes.append("Draw a digit")
    mode = st.radio("Input", modes, horizontal=True)

    if mode == "Take a photo":
        from skdigit.app._number_view import show_number

        shot = st.camera_input(
            "Point the camera at a digit or a number written on paper", key="camera"
        )
        if shot is None:
            st.info("Take a photo of handwritten digits to see what the model reads.")
            st.stop()
        show_number(st, model, shot.getvalue(), "your photo")
        st.stop()

    if mode == "Draw a digit":
        st.write("Draw one digit, large, in the middle of the square.")
        # streamlit-drawable-canvas (0.13) shows its toolbar 2.15rem above the
        # canvas while the pointer is over it; with Streamlit's 1rem gap it
        # covered this line. The space makes the gap 2.75rem.
        st.space(TOOLBAR_CLEARANCE)
        result = st_canvas(
            stroke_width=20,
            stroke_color="#000000",
            background_color="#FFFFFF",
            height=CANVAS_SIDE,
            width=CANVAS_SIDE,
            drawing_mode="freedraw",
            return_image_data=True,
            key="canvas",
        )
        data = None if result is None else result.image_bytes
        has_strokes = bool(result is not None and (result.json_data or {}).get("objects"))
        if data is None or not has_strokes:
            st.info("Draw a digit above to see what the model says.")
            st.stop()
        name = "your drawing"
    else:
        uploaded = st.file_uploader(
            "Upload an image of one digit (dark on light or light on dark)",
            type=UPLOAD_TYPES,
            key="upload",
        )
        if uploaded is None:
            st.info("Upload an image of a handwritten digit to see what the model says.")
            st.stop()
        data = uploaded.getvalue()
        name = uploaded.name
        ink = st.radio("Ink", list(INK_CHOICES), horizontal=True, key="ink")
        if st.toggle("The image shows a number (several digits)", key="number"):
            from skdigit.app._number_view import show_number

            show_number(st, model, data, name)
            st.stop()

    invert = INK_CHOICES[ink] if mode != "Draw a digit" else "auto"
    try:
        x = _read_digit(data, name, invert)
    except Exception as exc:  # any unreadable image: say so on the page
        st.error(f"**Cannot read {name}.** {_page_wording(image_error_message(exc, name))}")
        st.stop()
    prediction = _model.predict_digit(model, x)

    left, right = st.columns(2)
    with left:
        st.image(
            _model.upscale(x, PREVIEW_SCALE),
            caption="What the model sees: 28x28, white ink on black",
            width=28 * PREVIEW_SCALE,
        )
        deskewed = _model.deskewed_view(model, x)
        if deskewed is not None:
            with st.expander("After the model's deskewing step"):
                st.image(_model.upscale(deskewed, PREVIEW_SCALE), width=28 * PREVIEW_SCALE)
    with right:
        st.metric("Predicted digit", str(prediction.digit))
        st.markdown(f"with probability **{prediction.probability:.1%}**")
        if prediction.probability < 0.5:
            st.warning("The model is unsure: is it one digit, large and centred?")
        elif not prediction.is_digit:
            st.warning("Not sure this is a digit: it looks more like a letter or a "
                       "scribble than any digit skdigit was trained on.")

    st.subheader("Probability of each digit")
    st.bar_chart(
        pd.DataFrame(
            {"probability": prediction.probabilities},
            index=pd.Index([str(d) for d in range(10)], name="digit"),
        ),
        x_label="digit",
        y_label="probability",
    )


if __name__ == "__main__":
    main()
