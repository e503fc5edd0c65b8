"""``python -m analysis``: see :mod:`analysis.cli`."""

import gc
import os
import sys

# The matrices here are at most items × items; OpenBLAS's pool of threads only spins on the
# other core (≈0.2 s of CPU per run measured), so a run uses one unless the caller says.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
# One run is a second at most and its large objects (arrays) are freed by reference
# counting; the cycle collector would only re-scan the objects the imports create (it cost
# 0.1–0.25 s of CPU per run when a run still imported pandas; peak memory the same within 1 %).
gc.disable()

from .cli import main  # noqa: E402  (numpy must see the setting when it loads)

status = main()
# Every output file is closed by now. Tearing the interpreter down (freeing each of those
# objects and modules one by one) cost 0.2–0.3 s of CPU, a quarter of an overall run.
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)
