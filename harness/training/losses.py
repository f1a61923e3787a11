"""Reading a learner's losses from what their ``train`` prints or returns, in most wordings.

Printed: ``Discriminator Loss: 0.53 ... Generator Loss: 1.20``, ``d_loss=0.5 g_loss=1.2``,
``D: 0.5, G: 1.2``... Returned: a list of ``(d_loss, g_loss)`` pairs, two lists, or a dict of two
lists under such names.
"""

from __future__ import annotations

import contextlib
import re

import numpy as np

__all__ = ["read_losses", "returned_losses"]

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)"
# A loss label and its value: "Discriminator Loss: 0.53", "d_loss=0.5", "D: 0.5", "loss_g 1.2".
_LABELLED = re.compile(rf"(?i)([a-z_]+(?:[ _]loss(?:es)?)?)\s*[:=]?\s*({_NUMBER})\b")
_LOSS_WORD = re.compile(r"(?i)[ _]?loss(?:es)?$|^loss(?:es)?[ _]?")


def _role(label: str) -> str | None:
    """'d' for a discriminator loss's label ("D", "d_loss", "Discriminator Loss"), 'g' likewise, else None."""
    word = _LOSS_WORD.sub("", label.strip()).lower()
    for role, long in (("d", "disc"), ("g", "gen")):
        if word == role or word.startswith(long):
            return role
    return None


def read_losses(line: str) -> tuple[float, float] | None:
    """The (discriminator, generator) losses printed in ``line``, or None if it shows no pair."""
    found = {}
    for label, value in _LABELLED.findall(line):
        role = _role(label)
        if role is not None and role not in found:
            found[role] = float(value)
    return (found["d"], found["g"]) if len(found) == 2 else None


def returned_losses(returned) -> list[tuple[float, float]]:
    """(d, g) pairs from what a train returned: pairs, two lists, or a dict of two lists."""
    with contextlib.suppress(TypeError, ValueError):
        if isinstance(returned, dict):
            lists = {_role(str(key)): value for key, value in returned.items()}
            if "d" in lists and "g" in lists:
                returned = list(zip(lists["d"], lists["g"]))
        values = np.asarray(returned, dtype=np.float64)
        if values.ndim == 2 and values.shape[0] == 2 and values.shape[1] != 2:
            values = values.T
        if values.ndim == 2 and values.shape[1] == 2:
            return [(float(d), float(g)) for d, g in values]
    return []
