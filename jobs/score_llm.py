"""Stage `score_llm`: the LLM judge labels the sampled pairs not yet in the `judgments` cache."""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord, stage


def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    # Imported here, not at the top, so that --help answers without loading torch.
    from kpreco.judge.report import report_metrics
    from kpreco.stages.score_llm import run_score_llm

    with stage("score_llm") as record:
        stages.append(record)
        record.metrics.update(report_metrics(run_score_llm(spark, config, record)))
        return record.metrics


def main() -> None:
    run_job("score_llm", job_parser(__doc__).parse_args(), body)


if __name__ == "__main__":
    main()
