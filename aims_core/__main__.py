"""Entry point for ``python -m aims_core``."""

import sys

from aims_core.cli import main

sys.exit(main())
