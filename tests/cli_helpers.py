"""Running the CLI in-process from tests."""

from qenergy.app.cli import main


def run_cli(argv, capsys):
    """Exit status, standard output and standard error of ``qenergy ARGV``."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
