"""The LLM judge: the teacher of the chain. A prompt, backends that return P(relevant), the
Spark fan-out that fills the `judgments` cache, and the agreement report."""
