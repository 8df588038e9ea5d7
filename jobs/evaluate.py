"""Evaluate every student preset, the base encoder and BM25 on the same test items; write
metrics.json and report.html under output.root/reports/<run_id>/."""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord, stage


def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    # Imported here, not at the top, so that --help answers without loading torch.
    from kpreco.evaluate.report import headline_metrics
    from kpreco.stages.evaluate import run_evaluate

    with stage("evaluate") as record:
        stages.append(record)
        record.metrics.update(headline_metrics(run_evaluate(spark, config, record), config))
        return record.metrics


if __name__ == "__main__":
    run_job("evaluate", job_parser(__doc__).parse_args(), body)
