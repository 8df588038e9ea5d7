"""Stage `simulate`: generate the simulated marketplace into the `inputs.*` paths (needs
simulate.enabled)."""

from pyspark.sql import SparkSession

from kpreco.cli import job_parser, run_job
from kpreco.config import Config
from kpreco.log import StageRecord, stage


def body(spark: SparkSession, config: Config, stages: list[StageRecord]) -> dict:
    # Imported here, not at the top, so that --help answers without loading torch.
    from kpreco.stages.simulate import run_simulate

    with stage("simulate") as record:
        stages.append(record)
        return run_simulate(spark, config, record)


def main() -> None:
    run_job("simulate", job_parser(__doc__).parse_args(), body, writes_inputs=True)


if __name__ == "__main__":
    main()
