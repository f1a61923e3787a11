"""Notes on the hyperparameters: each against the range reviewers accept, with the reason for it."""

from __future__ import annotations

from harness.practices.note import Note

# The ranges reviewers accept, and why each is what it is.
HYPERPARAMETERS = {
    "batch_size": (
        16,
        64,
        "small batches give noisier gradients, which keeps the discriminator from winning too fast, "
        "while batch norm still has enough images to normalise over",
    ),
    "z_dim": (100, 128, "100 is DCGAN's: enough directions for every digit and face, few enough to fill"),
    "learning_rate": (
        0.0002,
        0.0008,
        "DCGAN's 0.0002 and a little above train steadily; at 0.001 and more the two networks "
        "overshoot each other and the losses swing",
    ),
    "beta1": (
        0.2,
        0.6,
        "Adam's momentum of 0.5 (DCGAN) follows the moving target the other network is; 0.9 "
        "carries old directions too long and the training oscillates",
    ),
}


def hyperparameter_notes(namespace: dict) -> list[Note]:
    notes = []
    for name, (low, high, reason) in HYPERPARAMETERS.items():
        value = namespace.get(name)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if low <= value <= high:
            notes.append(Note(name, True, f"{name} = {value:g}, within {low:g} to {high:g}: {reason}."))
        else:
            notes.append(Note(name, False, f"{name} = {value:g}: try {low:g} to {high:g}, since {reason}."))
    return notes
