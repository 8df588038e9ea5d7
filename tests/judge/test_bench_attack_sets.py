"""The benchmark's attack sets (bench/attacks_*.py) are templates the benchmark formats with a
title: each must format, keep the whole title and add text to it (a brace left unescaped in an
attack stopped a 30-minute benchmark run at that attack)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def attack_sets() -> dict[str, dict[str, str]]:
    sets = {}
    for path in sorted(BENCH.glob("attacks_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found = [v for k, v in vars(module).items() if k.isupper() and isinstance(v, dict)]
        assert len(found) == 1, f"{path.name} holds one attack set"
        sets[path.stem] = found[0]
    return sets


SETS = attack_sets()


def test_every_attack_file_is_found() -> None:
    assert set(SETS) >= {"attacks_reported", "attacks_heldout", "attacks_heldout_2"}
    assert {"attacks_heldout_3", "attacks_heldout_4", "attacks_heldout_5"} <= set(SETS)
    assert "attacks_heldout_6" in SETS


@pytest.mark.parametrize("name", sorted(SETS))
def test_every_attack_formats_keeping_the_title(name: str) -> None:
    title = "Hallbrook Grey Leather Sofa"
    for attack, template in SETS[name].items():
        attacked = template.format(title=title, keyphrase="grey sofa")
        assert title in attacked and attacked != title, (name, attack)
