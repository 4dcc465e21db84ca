"""Each family's generate, as the pipeline runs it (codes, prefix, global attention, beams.py's reorder), gives
the tokens stock transformers gives with the same settings, greedy and beam search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from pipeline.models.factory import load_model
from scripts.tiny_base import GERMAN_LINES
from scripts.tiny_families import FAMILY_BUILDERS

SEGMENTS = [*GERMAN_LINES[:8], "Kurz.", "Die Aktie stieg."]  # different lengths: the batch is padded
TRANSLATORS = ("nllb", "m2m100", "mbart50")


def _stock_texts(model: Any, folder: Path, texts: list[str]) -> list[str]:
    """What plain transformers generates with the settings the pipeline resolved (codes, prefix, mask)."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    conventions = model.conventions
    if conventions.multilingual:
        tokenizer.src_lang = conventions.source_code(None).strip("_")  # M2M100 takes 'de' for '__de__'
    stock = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    enc = tokenizer([conventions.prefix + text for text in texts], return_tensors="pt", padding=True)
    extra = {}
    if conventions.family.global_attention_first:
        extra["global_attention_mask"] = torch.zeros_like(enc["input_ids"])
        extra["global_attention_mask"][:, 0] = 1
    with torch.inference_mode():
        out = stock.generate(**enc, **extra, generation_config=model.generation_config)
    codes = set(getattr(tokenizer, "lang_token_to_id", {}).values())  # M2M100 keeps its codes in the text
    rows = [[t for t in row if t not in codes] for row in out.tolist()]
    return [text.strip() for text in tokenizer.batch_decode(rows, skip_special_tokens=True)]


@pytest.mark.parametrize("num_beams", [1, 3])
@pytest.mark.parametrize("family", list(FAMILY_BUILDERS))
def test_generate_gives_the_stock_tokens(sharp_families, family, num_beams):
    role = "translation" if family in TRANSLATORS else "summarization"
    generation = {"num_beams": num_beams, "max_new_tokens": 8, "min_length": 0}
    config = load_config({role: {"model": str(sharp_families[family]), "backend": "transformers",
                                 "generation": generation}, "runtime": {"device": "cpu"}})
    model = load_model(getattr(config, role), config.runtime, role)
    ours = [g.text for g in model.generate_batch(SEGMENTS)]
    stock = _stock_texts(model, sharp_families[family], SEGMENTS)
    assert len(set(stock)) > 1  # outputs depend on the input, so equality means something
    assert ours == stock
    assert model.describe()["beam_search"] in ("self-attention-reorder", "stock")
    if family in TRANSLATORS:
        assert not any("__" in text or "_Latn" in text or "_XX" in text for text in ours)  # no codes in text
