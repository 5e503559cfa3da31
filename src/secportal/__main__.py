import sys

from secportal.cli import main

sys.exit(main())
