"""Calibration of cross-encoder logits into probabilities, fitted on held-out judged pairs.

`platt` (temperature with a bias): p = sigmoid(a * logit + b), a and b minimising binary
cross-entropy against the targets. `isotonic`: a monotone step function of the logit.
Both are monotone, so calibration never changes the ranking.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from sklearn.isotonic import IsotonicRegression


def _sigmoid(values: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-values))


def fit_platt(logits: np.ndarray, targets: np.ndarray) -> dict:
    logits, targets = np.asarray(logits, float), np.clip(np.asarray(targets, float), 0.0, 1.0)

    def loss(params: np.ndarray) -> float:
        p = np.clip(_sigmoid(params[0] * logits + params[1]), 1e-7, 1 - 1e-7)
        return float(-np.mean(targets * np.log(p) + (1 - targets) * np.log(1 - p)))

    result = minimize(
        loss, x0=np.array([1.0, 0.0]), method="L-BFGS-B", bounds=[(1e-3, None), (None, None)]
    )
    return {"method": "platt", "scale": float(result.x[0]), "bias": float(result.x[1])}


def fit_isotonic(logits: np.ndarray, targets: np.ndarray) -> dict:
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip", increasing=True)
    model.fit(np.asarray(logits, float), np.asarray(targets, float))
    return {
        "method": "isotonic",
        "x": [float(x) for x in model.X_thresholds_],
        "y": [float(y) for y in model.y_thresholds_],
    }


def fit_calibration(method: str, logits: np.ndarray, targets: np.ndarray) -> dict:
    return fit_platt(logits, targets) if method == "platt" else fit_isotonic(logits, targets)


def apply_calibration(calibration: dict, logits: np.ndarray) -> np.ndarray:
    logits = np.asarray(logits, float)
    if calibration["method"] == "platt":
        return _sigmoid(calibration["scale"] * logits + calibration["bias"])
    return np.interp(logits, calibration["x"], calibration["y"])
