"""The main job: every stage in order (simulate when configured, then build_pairs, ...)."""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord


def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    # Imported here, not at the top, so that --help answers without loading torch.
    from kpreco.pipeline import run_pipeline

    return run_pipeline(spark, config, stages)


if __name__ == "__main__":
    run_job("pipeline", job_parser(__doc__).parse_args(), body, writes_inputs=True)
