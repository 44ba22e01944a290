"""``python -m screening.resume_worker LIMITS`` (see the package's docstring)."""

import sys

from screening.resume_worker import main

sys.exit(main(sys.argv))
