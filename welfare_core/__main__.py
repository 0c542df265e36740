import sys

from welfare_core.cli import main

sys.exit(main())
