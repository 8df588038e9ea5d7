"""Score pairs with a model: `--stage llm` judges sampled pairs into `judgments`;
`--stage ce` scores judged and sampled pairs with the cross-encoder into `ce_scores`."""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.judge.report import report_metrics
from kpreco.log import StageRecord, stage
from kpreco.stages.score_ce import run_score_ce
from kpreco.stages.score_llm import run_score_llm

STAGES = {"llm": ("score_llm", run_score_llm), "ce": ("score_ce", run_score_ce)}


def main() -> None:
    parser = job_parser(__doc__)
    parser.add_argument("--stage", choices=sorted(STAGES), required=True)
    args = parser.parse_args()
    name, run = STAGES[args.stage]

    def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
        with stage(name) as record:
            stages.append(record)
            return report_metrics(run(spark, config, record)) if args.stage == "llm" else {}

    run_job(f"score_pairs_{args.stage}", args, body)


if __name__ == "__main__":
    main()
