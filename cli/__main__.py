"""`python -m cli`: the `tracker` command without its installed script."""

import sys

from cli import main

sys.exit(main())
