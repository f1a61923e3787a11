"""Notes on the hyperparameters: each against the range reviewers accept, with the reason for it."""

from __future__ import annotations

from harness.practices.note import Note
from harness.rubric import RANGES, in_range

# Why each range of the rubric is what it is.
REASONS = {
    "batch_size": "small batches give noisier gradients, which keeps the discriminator from winning too "
    "fast, while batch norm still has enough images to normalise over",
    "z_dim": "100 is DCGAN's: enough directions for every digit and face, few enough to fill",
    "learning_rate": "DCGAN's 0.0002 and a little above train steadily; at 0.001 and more the two networks "
    "overshoot each other and the losses swing",
    "beta1": "Adam's momentum of 0.5 (DCGAN) follows the moving target the other network is; 0.9 carries "
    "old directions too long and the training oscillates",
}


def hyperparameter_notes(namespace: dict) -> list[Note]:
    notes = []
    for name, (low, high) in RANGES.items():
        value, reason = namespace.get(name), REASONS[name]
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if in_range(name, value):
            notes.append(Note(name, True, f"{name} = {value:g}, within {low:g} to {high:g}: {reason}."))
        else:
            notes.append(Note(name, False, f"{name} = {value:g}: try {low:g} to {high:g}, since {reason}."))
    return notes
