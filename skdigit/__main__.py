"""``python -m skdigit``: the same as the ``skdigit`` command."""

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
