"""How many images the app's server reads at once, all sessions together.

Each read holds its decoded pixels until it is reduced: a few MB for a phone's
JPEG (decoded at a reduced scale), up to 200 MB for a 50-megapixel PNG, whose
format cannot be decoded smaller. Streamlit runs each session's page in its own
thread, so 20 sessions uploading at once would hold 20 decoded images (issue
28 measured 8 such PNGs taking the server from 0.3 to 3.3 GB). Reads beyond
:data:`MAX_CONCURRENT_READS` wait for a slot: the server's memory for images
is bounded whatever the number of sessions, and reads beyond the cores gain
no speed anyway.
"""

import os
import threading
from contextlib import contextmanager

__all__ = ["MAX_CONCURRENT_READS", "reading_slot"]

#: Images decoded at once by one server process.
MAX_CONCURRENT_READS = max(2, min(4, os.cpu_count() or 1))

_SLOTS = threading.BoundedSemaphore(MAX_CONCURRENT_READS)


@contextmanager
def reading_slot():
    """Hold one of the server's :data:`MAX_CONCURRENT_READS` slots for reading an image."""
    with _SLOTS:
        yield
