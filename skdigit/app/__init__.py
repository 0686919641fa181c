"""The ``skdigit app`` web page: recognize an uploaded (or drawn) digit.

The page itself is a Streamlit script (``skdigit/app/_streamlit_app.py``) and
needs the optional extra ``app`` (``pip install 'skdigit[app]'``). Importing
this package does **not** import Streamlit: the model helpers in
:mod:`skdigit.app._model` and :func:`launch` work without it (``launch``
checks for Streamlit before starting it).
"""

from ._launch import SCRIPT_PATH, launch

__all__ = ["SCRIPT_PATH", "launch"]
