"""Keeping native libraries' log lines out of the learner's notebook.

TensorFlow's C++ core logs a few lines when it loads ("All log messages before
absl::InitializeLog()...", "oneDNN custom operations are on", "Could not find cuda drivers"), when
it looks for a GPU ("failed call to cuInit") and when it optimises some graphs ("remapper failed"),
straight to the process's standard error, whatever ``TF_CPP_MIN_LOG_LEVEL`` says. Jupyter's
kernel forwards that file descriptor into the cell, in red, and into the exported report.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def native_log_lines_hidden() -> Iterator[None]:
    """Sends what is written to file descriptor 2 (standard error) nowhere inside the block.

    Errors raised inside the block still reach the cell (they are raised, not written), and the
    descriptor is restored however the block ends. In Jupyter, Python's ``sys.stderr`` is the
    kernel's own stream, not the descriptor, so a warning printed in the block still shows.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as nowhere:
            os.dup2(nowhere.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
