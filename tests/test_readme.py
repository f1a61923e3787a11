"""README.md: a guide, short enough to read, with the two set-up commands and its links to docs/."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_is_at_most_15_kb_and_keeps_detailed_figures_in_docs():
    text = README.read_text(encoding="utf-8")

    assert len(text.encode()) <= 15_000, "move detail to docs/ (figures.md, review.md, tuning.md)"
    assert "docs/figures.md" in text


def test_the_readme_gives_exactly_two_set_up_commands_and_every_linked_doc_exists():
    text = README.read_text(encoding="utf-8")

    commands = re.findall(r"^python3 -m venv \.venv && .*$", text, flags=re.MULTILINE)
    assert [command.split("install -r ")[1].split()[0] for command in commands] == [
        "requirements.txt",
        "requirements-dev.txt",
    ]
    for link in re.findall(r"\]\((docs/[\w.]+)\)", text):
        assert (README.parent / link).is_file(), link
