from pathlib import Path

import pytest

from kpreco.config import DEFAULT_PRESET, ConfigError, load_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["local.yaml", "test.yaml", "cluster.yaml"])
def test_shipped_configs_validate(name: str) -> None:
    config = load_config(ROOT / "conf" / name)
    assert config.inputs.items
    assert config.output.root


def test_override_sets_nested_key_with_yaml_typing() -> None:
    config = load_config(
        ROOT / "conf" / "test.yaml", ["simulate.items=1234", "simulate.enabled=false"]
    )
    assert config.simulate.items == 1234
    assert config.simulate.enabled is False


def test_unknown_key_is_an_error_naming_the_key() -> None:
    with pytest.raises(ConfigError, match=r"pairs\.ctr_prior_strenght"):
        load_config(ROOT / "conf" / "test.yaml", ["pairs.ctr_prior_strenght=3"])


def test_wrong_type_is_an_error_naming_the_key(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        (ROOT / "conf" / "test.yaml").read_text() + "\nvalidation:\n  max_title_chars: many\n"
    )
    with pytest.raises(ConfigError, match=r"validation\.max_title_chars"):
        load_config(broken)


def test_override_into_a_scalar_is_an_error() -> None:
    with pytest.raises(ConfigError, match=r"'simulate\.items' is not a section"):
        load_config(ROOT / "conf" / "test.yaml", ["simulate.items.deep=1"])


def test_run_id_given_or_generated() -> None:
    given = load_config(ROOT / "conf" / "test.yaml", ["run_id=nightly-1"]).with_run_id()
    assert given.run_id == "nightly-1"
    first = load_config(ROOT / "conf" / "test.yaml").with_run_id().run_id
    second = load_config(ROOT / "conf" / "test.yaml").with_run_id().run_id
    assert first and second and first != second


def test_relative_output_root_becomes_absolute() -> None:
    config = load_config(ROOT / "conf" / "test.yaml", ["output.root=some/where"])
    assert Path(config.table_path("pairs")).is_absolute()
    assert config.table_path("pairs").endswith("some/where/pairs")


def test_later_config_files_layer_over_earlier_ones(tmp_path: Path) -> None:
    preset = tmp_path / "preset.yaml"
    preset.write_text("simulate:\n  items: 77\npairs:\n  split:\n    train: 0.7\n")
    config = load_config([ROOT / "conf" / "test.yaml", preset], ["simulate.days=2"])
    assert config.simulate.items == 77 and config.simulate.days == 2
    assert (
        config.pairs.split.train == 0.7 and config.pairs.split.valid == 0.1
    )  # merged, not replaced
    assert config.simulate.keyphrases == 150  # from the base file


def test_presets_layer_over_the_config() -> None:
    from kpreco.config import with_preset

    base = load_config(ROOT / "conf" / "test.yaml", ["bi_encoder.tasks.ctr.max_pairs=123"])
    ctr_only = with_preset(base, "ctr_only")
    assert ctr_only.bi_encoder.preset == "ctr_only"
    assert (
        not ctr_only.bi_encoder.tasks.sr.enabled and not ctr_only.bi_encoder.tasks.distill.enabled
    )
    assert ctr_only.bi_encoder.tasks.ctr.max_pairs == 123  # the base's settings stay
    llm = with_preset(base, "distill_from_llm_direct")
    assert llm.bi_encoder.tasks.distill.source == "llm"
    with pytest.raises(ConfigError, match="unknown bi_encoder preset"):
        with_preset(base, "no_such_preset")


def test_a_preset_chosen_with_set_trains_its_own_settings() -> None:
    config = load_config(ROOT / "conf" / "test.yaml", ["bi_encoder.preset=ctr_only"])
    tasks = config.bi_encoder.tasks
    assert config.bi_encoder.preset == "ctr_only"
    assert (tasks.ctr.enabled, tasks.sr.enabled, tasks.distill.enabled) == (True, False, False)
    assert tasks.ctr.max_pairs == 48  # conf/test.yaml's, which the preset file does not set


def test_a_preset_named_in_a_config_file_is_layered_too(tmp_path: Path) -> None:
    mine = tmp_path / "mine.yaml"
    mine.write_text("bi_encoder:\n  preset: distill_from_llm_direct\n")
    config = load_config([ROOT / "conf" / "test.yaml", mine])
    assert config.bi_encoder.tasks.distill.source == "llm"


def own_presets(tmp_path: Path) -> Path:
    folder = tmp_path / "presets"
    folder.mkdir()
    # The configured preset's file: conf/test.yaml names the default one.
    (folder / f"{DEFAULT_PRESET}.yaml").write_text(f"bi_encoder:\n  preset: {DEFAULT_PRESET}\n")
    (folder / "mine.yaml").write_text(
        "bi_encoder:\n  tasks:\n    sr: {enabled: false}\n"
        "    distill: {enabled: true, max_pairs: 20000, loss: mse}\n"
    )
    return folder


def test_set_on_top_of_a_preset_wins_over_the_preset_file(tmp_path: Path) -> None:
    presets = own_presets(tmp_path)
    from_file = load_config(
        ROOT / "conf" / "test.yaml", ["bi_encoder.preset=mine"], presets_dir=presets
    )
    assert from_file.bi_encoder.tasks.distill.max_pairs == 20000
    assert not from_file.bi_encoder.tasks.sr.enabled
    overridden = load_config(
        ROOT / "conf" / "test.yaml",
        ["bi_encoder.tasks.distill.max_pairs=500", "bi_encoder.preset=mine"],
        presets_dir=presets,
    )
    assert overridden.bi_encoder.tasks.distill.max_pairs == 500
    assert overridden.bi_encoder.tasks.distill.loss == "mse"  # the rest of the preset holds


def test_an_ablation_preset_gets_the_same_rule_as_the_main_one(tmp_path: Path) -> None:
    from kpreco.config import with_preset

    presets = own_presets(tmp_path)
    base = load_config(
        ROOT / "conf" / "test.yaml",
        ["bi_encoder.tasks.distill.max_pairs=500", "bi_encoder.version=bi-pinned"],
        presets_dir=presets,
    ).with_run_id()
    mine = with_preset(base, "mine")
    assert mine.bi_encoder.tasks.distill.max_pairs == 500  # --set wins over the preset file
    assert not mine.bi_encoder.tasks.sr.enabled
    assert mine.bi_encoder.version is None  # a pinned version pins the configured preset only
    assert mine.run_id == base.run_id and mine.inputs == base.inputs
    assert with_preset(base, DEFAULT_PRESET).bi_encoder.version == "bi-pinned"


@pytest.mark.parametrize(
    "choose",
    [
        lambda: load_config(ROOT / "conf" / "test.yaml", ["bi_encoder.preset=no_such"]),
        lambda: __import__("kpreco.config").config.with_preset(
            load_config(ROOT / "conf" / "test.yaml"), "no_such"
        ),
    ],
    ids=["set", "ablation"],
)
def test_an_unknown_preset_is_an_error_listing_the_known_ones(choose) -> None:
    with pytest.raises(ConfigError, match=r"unknown bi_encoder preset 'no_such'.*ctr_only"):
        choose()


def test_a_preset_file_may_set_only_the_student(tmp_path: Path) -> None:
    presets = own_presets(tmp_path)
    (presets / "wide.yaml").write_text("bi_encoder: {}\nsimulate: {items: 5}\n")
    with pytest.raises(ConfigError, match="sets only bi_encoder"):
        load_config(ROOT / "conf" / "test.yaml", ["bi_encoder.preset=wide"], presets_dir=presets)


def test_the_pipeline_trains_the_set_preset_then_the_ablations() -> None:
    from kpreco.pipeline import student_configs

    config = load_config(
        ROOT / "conf" / "test.yaml",
        ["bi_encoder.preset=ctr_only", "pipeline.ablations=[ctr_only, ctr_sr_distill_pearson]"],
    )
    main, full = student_configs(config)
    assert main.bi_encoder.preset == "ctr_only" and not main.bi_encoder.tasks.sr.enabled
    assert full.bi_encoder.preset == "ctr_sr_distill_pearson"
    assert full.bi_encoder.tasks.sr.enabled and full.bi_encoder.tasks.distill.enabled


@pytest.mark.parametrize("key", ["pipeline.ablations", "evaluate.presets"])
def test_an_unknown_preset_in_a_list_stops_the_config_load(key: str) -> None:
    with pytest.raises(ConfigError, match=r"unknown bi_encoder preset 'ctr_olny'"):
        load_config(ROOT / "conf" / "test.yaml", [f"{key}=[ctr_only, ctr_olny]"])


def test_the_contrastive_term_needs_the_assistants_item_groups() -> None:
    # Positives are the assistant's calibrated scores within an item's group: the judge's
    # labels (source llm) or ungrouped pairs have none.
    for setting in ["bi_encoder.tasks.distill.source=llm", "bi_encoder.tasks.distill.loss=mse"]:
        with pytest.raises(ConfigError, match="contrastive_weight"):
            load_config(
                ROOT / "conf" / "test.yaml",
                ["bi_encoder.tasks.distill.contrastive_weight=1.0", setting],
            )
    config = load_config(
        ROOT / "conf" / "test.yaml", ["bi_encoder.preset=ctr_sr_distill_contrastive"]
    )
    assert config.bi_encoder.tasks.distill.contrastive_weight == 1.0
    assert config.bi_encoder.tasks.distill.group_size == 4  # the test config's, kept
