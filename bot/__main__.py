"""`python -m bot` is the `masar` command, for checkouts that are not installed."""

import sys

from .cli import main

sys.exit(main())
