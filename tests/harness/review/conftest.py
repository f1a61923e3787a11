"""The review's shared fixture: our checks of an honest solution, run once for the tests that need
their outcome (the files', figures' and notes' cases), not once per test."""

import pytest
from helpers.submissions import SOLUTIONS, executed

from harness.review import checking, sandbox
from harness.review.code import learner_code


@pytest.fixture(scope="session")
def honest_checks(tmp_path_factory) -> checking.Checked:
    """Our checks of a learner's honest solution (tests/learner_solutions/classic.py), in the sandbox."""
    notebook = executed(SOLUTIONS[0].read_text())
    limits = sandbox.Limits(wall_seconds=300, memory_bytes=3 * 2**30)
    return checking.check(learner_code(notebook), tmp_path_factory.mktemp("scratch"), limits)
