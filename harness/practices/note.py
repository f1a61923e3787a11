"""One reviewer's note: what it is about, done well or worth trying, and why."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    """One reviewer's note on a function or a setting.

    Attributes:
        subject: The function or hyperparameter it is about.
        done_well: True for "done well", False for "worth trying".
        text: What, and in one sentence why.
    """

    subject: str
    done_well: bool
    text: str
