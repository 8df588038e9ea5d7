"""Deprecated alias of jobs/simulate.py, kept for one release."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import simulate

if __name__ == "__main__":
    print("simulate_marketplace.py is deprecated: use jobs/simulate.py", file=sys.stderr)
    simulate.main()
