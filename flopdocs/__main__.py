import sys

from flopdocs.cli.main import main

sys.exit(main())
