"""harness/practices/ranges.py: each hyperparameter against its reviewed range, with why."""

from harness import practices


def test_hyperparameters_out_of_range_say_the_range_and_why():
    notes = practices.notes_on({"learning_rate": 0.002, "beta1": 0.9, "batch_size": 128, "z_dim": 100})

    texts = {note.subject: note for note in notes}
    assert (
        not texts["learning_rate"].done_well and "try 0.0002 to 0.0008, since" in texts["learning_rate"].text
    )
    assert not texts["beta1"].done_well and "oscillates" in texts["beta1"].text
    assert not texts["batch_size"].done_well and texts["z_dim"].done_well
