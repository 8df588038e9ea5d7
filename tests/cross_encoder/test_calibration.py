import numpy as np
import pytest

from kpreco.cross_encoder.calibration import apply_calibration, fit_calibration


@pytest.mark.parametrize("method", ["platt", "isotonic"])
def test_calibration_is_monotone_and_a_probability(method: str) -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, 500)
    targets = (rng.random(500) < 1 / (1 + np.exp(-(0.5 * logits - 1)))).astype(float)
    calibration = fit_calibration(method, logits, targets)
    grid = np.linspace(-12, 12, 200)
    probabilities = apply_calibration(calibration, grid)
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    assert np.all(np.diff(probabilities) >= -1e-12)


def test_platt_recovers_a_known_scale_and_bias() -> None:
    rng = np.random.default_rng(1)
    logits = rng.normal(0, 2, 20_000)
    targets = (rng.random(20_000) < 1 / (1 + np.exp(-(0.5 * logits - 1)))).astype(float)
    calibration = fit_calibration("platt", logits, targets)
    assert calibration["scale"] == pytest.approx(0.5, abs=0.05)
    assert calibration["bias"] == pytest.approx(-1.0, abs=0.1)
