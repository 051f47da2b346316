import sys

from qenergy.app.cli import main

if __name__ == "__main__":  # spawned worker processes re-import this module; they must not re-run the command
    sys.exit(main())
