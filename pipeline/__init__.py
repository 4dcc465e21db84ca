"""German → English translation and summarization (MarianMT + BART).

>>> from pipeline import summarize
>>> result = summarize("Microsoft kündigte am Dienstag eigene KI-Modelle an.")
>>> result.summary, result.translation, result.segments
"""

from pipeline.config import Config, ConfigError, load_config
from pipeline.results import DocumentResult, Segment, Summary

__all__ = [
    "Config", "ConfigError", "DocumentResult", "Pipeline", "Segment", "Summary", "load_config",
    "split_sentences", "summarize",
]


def __getattr__(name: str):
    # torch and transformers load only when the models are needed
    if name == "split_sentences":
        from pipeline.text import split_sentences

        return split_sentences
    if name in ("Pipeline", "summarize", "get_pipeline"):
        from pipeline import core

        return getattr(core, name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")
