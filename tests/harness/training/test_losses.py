"""harness/training/losses.py: losses read from printed lines in the usual wordings."""

import numpy as np
import pytest

from harness import training


@pytest.mark.parametrize(
    "line, losses",
    [
        ("Epoch 1/2... Discriminator Loss: 1.2345... Generator Loss: 0.6543", (1.2345, 0.6543)),
        ("epoch 1 step 10: d_loss 0.512 g_loss 2.100", (0.512, 2.1)),
        ("Step 10: loss_d=0.5000, loss_g=1.2500", (0.5, 1.25)),
        ("Epoch 1 batch 10 D: 0.4 G: 3.1", (0.4, 3.1)),
        ("Epoch 1/2 step 10: D loss 0.7000, G loss nan", (0.7, float("nan"))),
        ("D_loss = 1e-3 G_loss = 12", (0.001, 12.0)),
    ],
)
def test_printed_losses_are_read_in_the_usual_wordings(line, losses):
    np.testing.assert_equal(training.read_losses(line), losses)


@pytest.mark.parametrize(
    "line", ["Epoch 1/2", "Generator Loss: 0.5", "loss 0.5 0.7", "digits epoch 1/2: 100%"]
)
def test_lines_without_both_losses_are_not_read(line):
    assert training.read_losses(line) is None
