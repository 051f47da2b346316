"""Running the CLI in-process from tests, and a stand-in meter for its own-energy figures."""

from qenergy.app.cli import main


def run_cli(argv, capsys):
    """Exit status, standard output and standard error of ``qenergy ARGV``."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


class StubMeter:
    """A per-process counter that advances 2.5 J per reading, standing in for RAPL (basis measured, not apportioned)."""

    basis = "measured"

    def __init__(self):
        self.j = 0.0

    def read_j(self):
        self.j += 2.5
        return self.j

    def describe(self):
        return "stub counter"
