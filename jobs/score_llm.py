"""Stage `score_llm`: the LLM judge labels the sampled pairs not yet in the `judgments` cache.

`--round 1` (the default) judges the per-kind sample; `--round N` (N >= 2) judges uncertainty
round N: the pairs the current assistant is unsure of (run train_cross_encoder and score_ce
before it, and again after it). The pipeline runs every round in order."""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord, stage


def body(spark: SparkSession, config: Config, stages: list[StageRecord], number: int) -> dict:
    # Imported here, not at the top, so that --help answers without loading torch.
    from kpreco.judge.report import report_metrics
    from kpreco.stages.score_llm import round_stage, run_judge_round

    with stage(round_stage("score_llm", number)) as record:
        stages.append(record)
        record.metrics.update(report_metrics(run_judge_round(spark, config, record, number)))
        return record.metrics


def main() -> None:
    parser = job_parser(__doc__)
    parser.add_argument(
        "--round",
        type=int,
        default=1,
        help="1: the per-kind sample (default); N >= 2: uncertainty round N",
    )
    args = parser.parse_args()
    if args.round < 1:
        parser.error(f"--round must be 1 or more, not {args.round}")
    run_job(
        "score_llm", args, lambda spark, config, stages: body(spark, config, stages, args.round)
    )


if __name__ == "__main__":
    main()
