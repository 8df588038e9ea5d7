"""Train the cross-encoder assistant on the judge's labels, calibrate it, register it."""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord, stage


def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    # Imported here, not at the top, so that --help answers without loading torch.
    from kpreco.stages.train_cross_encoder import run_train_cross_encoder

    with stage("train_cross_encoder") as record:
        stages.append(record)
        result = run_train_cross_encoder(spark, config, record)
    return {"cross_encoder.train_seconds": result["train_seconds"]}


if __name__ == "__main__":
    run_job("train_cross_encoder", job_parser(__doc__).parse_args(), body)
