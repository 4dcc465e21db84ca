"""The real default checkpoints, end to end. Slow; runs only where they are in the local HF cache:

    python -m pytest -m slow
"""

from __future__ import annotations

import pytest

from pipeline.config import Config

pytestmark = pytest.mark.slow


def _cached(model: str) -> bool:
    from huggingface_hub import try_to_load_from_cache

    return isinstance(try_to_load_from_cache(model, "config.json"), str)


DEFAULTS = Config()
needs_models = pytest.mark.skipif(
    not (_cached(DEFAULTS.translation.model) and _cached(DEFAULTS.summarization.model)),
    reason="the default models are not in the local Hugging Face cache (scripts/download_models.py)",
)

ARTICLE = (
    "Microsoft entwickelt erstmals eigene KI-Basismodelle. Mit dem Textmodell \"MAI-1-preview\" tritt der "
    "Konzern direkt in den Wettbewerb mit OpenAI. Die GSA schätzt das Einsparpotenzial für Steuerzahler auf "
    "über sechs Milliarden Dollar.\n\nAllein in diesem Jahr plant das Unternehmen Ausgaben von schätzungsweise "
    "80 Milliarden Dollar für Rechenzentren."
)


@needs_models
def test_default_models_translate_and_summarize(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from pipeline.core import Pipeline

    pipe = Pipeline(runtime={"device": "cpu"})
    assert pipe.translator.generation_config.num_beams == 4
    assert pipe.summarizer.generation_config.length_penalty == 2.0
    assert pipe.translator.max_input_tokens == 512 and pipe.summarizer.max_input_tokens == 1024
    result = pipe(ARTICLE)
    assert result.status == "ok"
    assert "Microsoft" in result.translation and "80 billion" in result.translation
    assert len(result.summary.split()) > 10
    assert pipe.describe()["translation"]["commit"]
