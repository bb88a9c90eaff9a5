"""``python -m nasedu`` runs the ``nasedu`` command (see :mod:`nasedu.cli`)."""

import sys

from .cli import main

sys.exit(main())
