"""The learner's definitions loaded over the notebook's given ones: only ever inside a sandbox.

The worker (``worker``) and the training done again (``retraining``) run this in the learner's
sandbox; the reviewer's process and the judge (``judging``) never import it. The given code is
the project notebook's cells of definitions alone (``project.given_definitions``, written into the
scratch folder by the reviewer's side): no solution of the exercises is ever loaded beside the
learner's code.
"""

from __future__ import annotations

GIVEN_FILE, LEARNER_FILE = "given_code.py", "learner_code.py"


def namespace_of(given: str, learner: str) -> dict:
    """The notebook's given definitions, then the learner's over them, as the notebook runs them.

    Args:
        given: The source of the notebook's given definitions.
        learner: The source of the learner's definitions (``code.learner_code``).
    """
    namespace = {"__name__": "dlnd_face_generation"}
    exec(compile(given, GIVEN_FILE, "exec"), namespace)
    exec(compile(learner, LEARNER_FILE, "exec"), namespace)
    return namespace
