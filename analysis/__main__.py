"""``python -m analysis``: see :mod:`analysis.cli`."""

import os
import sys

# The matrices here are at most items × items; OpenBLAS's pool of threads only spins on the
# other core (≈0.2 s of CPU per run measured), so a run uses one unless the caller says.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from .cli import main  # noqa: E402  (numpy must see the setting when it loads)

sys.exit(main())
