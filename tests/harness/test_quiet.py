"""harness/quiet.py: native code's writes to standard error are hidden inside the block only."""

import os

import pytest

from harness.quiet import native_log_lines_hidden


def test_native_writes_to_standard_error_are_hidden_inside_the_block_only(capfd):
    os.write(2, b"before\n")
    with native_log_lines_hidden():
        os.write(2, b"I0000 port.cc:153] oneDNN custom operations are on\n")
    os.write(2, b"after\n")

    assert capfd.readouterr().err == "before\nafter\n"


def test_an_error_in_the_block_is_raised_and_standard_error_comes_back(capfd):
    with pytest.raises(ImportError, match="no module named 'tensorflow'"), native_log_lines_hidden():
        raise ImportError("no module named 'tensorflow'")
    os.write(2, b"after\n")

    assert capfd.readouterr().err == "after\n"
