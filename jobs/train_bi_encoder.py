"""Train the bi-encoder student of `bi_encoder.preset` (the full method unless set):

./spark-submit.sh jobs/train_bi_encoder.py --config conf/local.yaml --set bi_encoder.preset=ctr_only

The preset's file (conf/presets/NAME.yaml) is layered over the config files and `--set` goes on
top, so `--set bi_encoder.tasks.distill.max_pairs=20000` changes that preset's setting.
"""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord, stage


def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    # Imported here, not at the top, so that --help answers without loading torch.
    from kpreco.stages.train_bi_encoder import run_train_bi_encoder

    with stage(f"train_bi_encoder[{config.bi_encoder.preset}]") as record:
        stages.append(record)
        result = run_train_bi_encoder(spark, config, record)
    return {"bi_encoder.train_seconds": result["train_seconds"]}


if __name__ == "__main__":
    run_job("train_bi_encoder", job_parser(__doc__).parse_args(), body)
