"""`python -m orchestration.cli`: the same as the `pressroom` command."""

import sys

from orchestration.cli import main

sys.exit(main())
