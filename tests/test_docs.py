"""The user guide's command reference is the parser's own help."""

from pathlib import Path

from qenergy.app.cli import reference_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_cli_reference_is_current():
    assert (DOCS / "cli.md").read_text() == reference_markdown(), "regenerate docs/cli.md with qenergy.app.cli.reference_markdown()"


def test_guide_mentions_every_command():
    guide = (DOCS / "guide.md").read_text() + (DOCS / "cli.md").read_text()
    for command in ("simon", "bounds", "sweep", "models", "model", "ledger", "demo"):
        assert f"qenergy {command}" in guide
