"""harness/data/sources.py: the table of sources, as the README tells users to place the files."""

from pathlib import Path

import helper
from harness.data import sources


def test_the_readme_places_every_file_with_the_tables_size_and_checksum():
    readme = (Path(helper.__file__).parent / "README.md").read_text()

    for name in (*helper.MNIST_FILES, "celeba"):
        source = sources.SOURCES[name]
        row = next(line for line in readme.splitlines() if f"`{source.archive}`" in line and "|" in line)
        assert f"{source.size:,} bytes" in row and source.sha256 in row, row
