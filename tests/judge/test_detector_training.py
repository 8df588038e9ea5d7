"""The shipped detector weights are what scripts/train_injection_detector.py trains today: a
change of the detector's span logic or of its corpus that is not followed by retraining fails
here (the weights file's threshold was chosen by the span logic it was trained with)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_shipped_weights_are_what_the_training_script_writes() -> None:
    checked = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "train_injection_detector.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert '"threshold"' in checked.stdout
