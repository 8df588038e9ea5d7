"""The cross-encoder assistant: learns the LLM judge's labels, cheap enough for every pair."""
