from pathlib import Path

import pytest

from kpreco.config import ConfigError, load_config

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
    with pytest.raises(ConfigError, match="unknown preset"):
        with_preset(base, "no_such_preset")
