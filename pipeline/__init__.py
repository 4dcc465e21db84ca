"""German → English translation and summarization (MarianMT + BART).

>>> from pipeline import summarize
>>> result = summarize("Microsoft kündigte am Dienstag eigene KI-Modelle an.")
>>> result.summary, result.translation, result.segments

Importing the package is cheap: torch and transformers load with the models, on the first call.
"""

from pipeline.api import get_pipeline, summarize
from pipeline.config import Config, ConfigError, load_config
from pipeline.core import Pipeline
from pipeline.display.tables import to_dataframe
from pipeline.results import DocumentResult, ResultList, Segment, Summary
from pipeline.text.sentences import split_sentences

__all__ = [
    "Config", "ConfigError", "DocumentResult", "Pipeline", "ResultList", "Segment", "Summary", "get_pipeline",
    "load_config", "split_sentences", "summarize", "to_dataframe",
]
