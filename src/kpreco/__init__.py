"""kpreco: advertiser keyphrase recommendation with LLM-distilled bi-encoders."""

# The one place of the release number (pyproject.toml reads it; executors run from a zip
# without package metadata, so it cannot come from importlib.metadata).
__version__ = "0.1.0"
