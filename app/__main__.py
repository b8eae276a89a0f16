import sys

from lecturecut.app.cli import main

sys.exit(main())
