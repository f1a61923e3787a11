"""A function's verdict as the reviewer's judge gives it: its evidence made here, written to files,
and judged from them."""

import numpy as np
import tensorflow.compat.v1 as tf

from harness import checks, evidence
from harness.checks.common import as_failure, function_name
from harness.review import judging


def judged(folder, name, function) -> str:
    """The judge's outcome for ``function``: its evidence made here, written to ``folder``, and judged
    from the files; a failure while making it stands, as the worker claims it."""
    for index, case in enumerate(checks.CHECKS[name].cases):
        with tf.Graph().as_default():
            try:
                built = checks.build(name, function, case)
            except Exception as error:
                return f"failed: {as_failure(error, function_name(function))}"
            evidence.write(built, folder, f"{name}-{index}")
    outcome, _ = judging.verdict(name, folder, np.random.default_rng(7))
    return outcome
