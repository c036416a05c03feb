"""``python -m govsim <command> ...``: the same as the ``govsim`` console script."""

import sys

from govsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
