"""Recommend keyphrases for every item into `item_keyphrases`; by default only new or changed
items (or all, when the student, cross-encoder, vocabulary or settings changed)."""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord, stage


def main() -> None:
    parser = job_parser(__doc__)
    parser.add_argument("--full-refresh", action="store_true", help="recompute every item")
    args = parser.parse_args()

    def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
        # Imported here, not at the top, so that --help answers without loading torch.
        from kpreco.stages.recommend import run_recommend

        with stage("recommend") as record:
            stages.append(record)
            result = run_recommend(spark, config, record, full_refresh=args.full_refresh)
        return {"recommend.items_refreshed": float(result["refreshed"])}

    run_job("recommend", args, body)


if __name__ == "__main__":
    main()
