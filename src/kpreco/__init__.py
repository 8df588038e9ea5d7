"""kpreco: advertiser keyphrase recommendation with LLM-distilled bi-encoders."""

# The one place of the release number (pyproject.toml reads it; executors run from a zip
# without package metadata, so it cannot come from importlib.metadata).
__version__ = "0.1.0"

# Before any submodule imports tqdm (through sentence-transformers or transformers), which
# reads TQDM_DISABLE once, at import: executors' stderr is a log file, not a person.
from kpreco.log import quiet_progress_bars

quiet_progress_bars()
