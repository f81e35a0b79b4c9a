import sys

from auditmw.cli import main

sys.exit(main())
