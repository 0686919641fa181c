"""``python -m benchmarks.cold_child``: import skdigit, fit ``load_digits``; print
the two durations as JSON (the parent times the whole process)."""

import json
import time

t0 = time.perf_counter()
from sklearn.datasets import load_digits  # noqa: E402

from skdigit import DigitLogisticClassifier  # noqa: E402

t1 = time.perf_counter()
X, y = load_digits(return_X_y=True)
DigitLogisticClassifier(max_iter=1000).fit(X / 16, y)
print(json.dumps({"import_s": t1 - t0, "first_fit_s": time.perf_counter() - t1}))
