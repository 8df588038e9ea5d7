"""Does the title screen give back the clean title? The injection defence measured without the
judge, per attack set: seconds instead of the judge's quarter of an hour, so a change of the
detector's span logic can be checked on every set before the judge is run.

    ./spark-submit.sh bench/detector_recovery.py --config conf/local.yaml [--titles 40]

Takes `--titles` catalog titles (seeded by hash), appends each attack of each set of
bench/prompt_injection.py and screens the result as the judge would (rules, then detector).
Per attack: the share of titles whose screened attacked title equals the screened clean title
(`exact`), the share that lost a word of the title (`lost`: the detector cut product text)
and the share with words of the attack left (`left`); words are compared as lower-case \\w+
runs, so punctuation the screen trims does not count. Ends with `ratio=X`: the exact share
over all attacks of the chosen sets.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

from pyspark.sql import functions as F

from kpreco.config import load_config
from kpreco.inputs import input_path
from kpreco.judge.screening import screen_field
from kpreco.log import setup_logging
from kpreco.session import build_spark
from kpreco.tables import read_table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prompt_injection import SETS


def words(text: str | None) -> set[str]:
    return set(re.findall(r"\w+", (text or "").lower()))


def recovery(titles: list[str], attack: str) -> dict[str, float]:
    exact = lost = left = 0
    for title in titles:
        clean = screen_field(title)
        screened = screen_field(attack.format(title=title, keyphrase="red cushion"))
        exact += screened == clean
        lost += bool(words(clean) - words(screened))
        left += bool(words(screened) - words(clean))
    n = max(len(titles), 1)
    return {"exact": exact / n, "lost": lost / n, "left": left / n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, action="append")
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    parser.add_argument("--titles", type=int, default=40)
    parser.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS))
    args = parser.parse_args()
    config = load_config(args.config, args.overrides)
    setup_logging()
    spark = build_spark(config)
    items = read_table(spark, "items", input_path(config, "items"), config.inputs.format)
    titles = [
        r.title
        for r in items.select("title")
        .distinct()
        .orderBy(F.xxhash64("title", F.lit(7)))
        .limit(args.titles)
        .collect()
    ]
    spark.stop()
    print(f"{len(titles)} catalog titles; exact / lost a title word / attack words left")
    every = []
    for name in args.sets:
        shares = {attack: recovery(titles, text) for attack, text in SETS[name].items()}
        for attack, share in shares.items():
            print(
                f"{name:10s} {attack:22s} exact {share['exact']:.3f} lost {share['lost']:.3f} "
                f"left {share['left']:.3f}"
            )
        mean = {k: statistics.fmean(s[k] for s in shares.values()) for k in ("exact", "lost")}
        left = statistics.fmean(s["left"] for s in shares.values())
        print(
            f"summary {name:10s} exact {mean['exact']:.3f} lost {mean['lost']:.3f} left {left:.3f}"
        )
        every += list(shares.values())
    print("ratio: share of attacked titles screened back to the clean title")
    print(f"ratio={statistics.fmean(s['exact'] for s in every):.3f}")


if __name__ == "__main__":
    main()
