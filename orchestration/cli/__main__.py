"""`python -m orchestration.cli`: the same as the `pressroom` command."""

import sys

from orchestration.cli.main import command

sys.exit(command())
