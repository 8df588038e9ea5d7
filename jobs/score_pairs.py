"""Deprecated alias, kept for one release: `--stage llm` is jobs/score_llm.py, `--stage ce` is
jobs/score_ce.py."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import score_ce
import score_llm

ALIASES = {"llm": score_llm, "ce": score_ce}


def main() -> None:
    arguments = sys.argv[1:]
    if "--stage" not in arguments or arguments.index("--stage") + 1 >= len(arguments):
        sys.exit("score_pairs.py is now jobs/score_llm.py and jobs/score_ce.py (--stage llm|ce)")
    at = arguments.index("--stage")
    stage = arguments[at + 1]
    if stage not in ALIASES:
        sys.exit(f"score_pairs.py: --stage must be llm or ce, not {stage!r}")
    print(
        f"score_pairs.py --stage {stage} is deprecated: use jobs/score_{stage}.py", file=sys.stderr
    )
    sys.argv = [sys.argv[0], *arguments[:at], *arguments[at + 2 :]]
    ALIASES[stage].main()


if __name__ == "__main__":
    main()
