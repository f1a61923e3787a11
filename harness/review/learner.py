"""The learner's definitions loaded over the notebook's given ones: only ever inside a sandbox.

The worker (``checking``) and the training done again (``retraining``) run this in the learner's
sandbox; the reviewer's process and the judge (``judging``) never import it.
"""

from __future__ import annotations

from pathlib import Path

from harness.review.code import HYPERPARAMETERS
from harness.self_review import FUNCTIONS


def namespace_of(learner_file: Path) -> dict:
    """The notebook's given definitions, then the learner's over them, as the notebook runs them."""
    from harness.project import load_functions

    namespace = load_functions()
    for name in (*FUNCTIONS, *HYPERPARAMETERS):
        namespace.pop(name, None)  # Ours must not stand in for one the learner did not write.
    source = learner_file.read_text(encoding="utf-8")
    exec(compile(source, "learner_code.py", "exec"), namespace)
    return namespace
