"""Validate the inputs and build the `pairs` table (clicks, Search scores, unshown candidates)."""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord, stage


def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> None:
    # Imported here, not at the top, so that --help answers without loading torch.
    from kpreco.stages.build_pairs import run_build_pairs

    with stage("build_pairs") as record:
        stages.append(record)
        run_build_pairs(spark, config, record)


if __name__ == "__main__":
    run_job("build_pairs", job_parser(__doc__).parse_args(), body)
