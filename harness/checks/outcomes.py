"""What the checks of ``problem_unittests`` recorded in a notebook's session, handed on as a value.

``problem_unittests.OUTCOMES`` is the one record: each check writes its function's last outcome
there, and the check of ``train`` what it fed. The notebook hands it to the self-review and the
practice notes (``self_review.self_check(globals(), problem_unittests.OUTCOMES)``); nothing reads
it out of the module.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Outcomes:
    """The checks' record.

    Attributes:
        results: Each function's last outcome, by name: "passed", "did not finish" or "failed: why".
        train_feeds: What ``train`` fed its graph in its last check: ``{"real": (low, high),
            "noise": (low, high, std)}``.
    """

    results: dict[str, str] = field(default_factory=dict)
    train_feeds: dict[str, tuple] = field(default_factory=dict)
