"""Train the bi-encoder student; a preset layers over the base config:

./spark-submit.sh jobs/train_bi_encoder.py --config conf/local.yaml --config conf/presets/X.yaml
"""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord, stage
from kpreco.stages.train_bi_encoder import run_train_bi_encoder


def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    with stage(f"train_bi_encoder[{config.bi_encoder.preset}]") as record:
        stages.append(record)
        result = run_train_bi_encoder(spark, config, record)
    return {"bi_encoder.train_seconds": result["train_seconds"]}


if __name__ == "__main__":
    run_job("train_bi_encoder", job_parser(__doc__).parse_args(), body)
