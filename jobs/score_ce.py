"""Stage `score_ce`: the cross-encoder scores judged and sampled pairs into `ce_scores`."""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord, stage


def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    # Imported here, not at the top, so that --help answers without loading torch.
    from kpreco.stages.score_ce import run_score_ce

    with stage("score_ce") as record:
        stages.append(record)
        run_score_ce(spark, config, record)
        return {}


def main() -> None:
    run_job("score_ce", job_parser(__doc__).parse_args(), body)


if __name__ == "__main__":
    main()
