"""The transformers backend's beam search shares one source per input (``pipeline.models.hf.beams``); these tests
compare it with stock ``generate`` on the same checkpoint, which must give the same tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipeline.config import load_config
from pipeline.models.factory import load_model
from pipeline.models.hf.speedups import in_tested_range
from scripts.tiny_base import GERMAN_LINES
from tests.conftest import ROLES

# different lengths, so that the batch is padded
SEGMENTS = [*GERMAN_LINES, "Kurz.", "Die Aktie stieg.", "Am Montag.", "Was nun, Herr Müller?"]


def _load(folder: Path, generation: dict[str, Any]) -> Any:
    role = ROLES[folder.name]
    config = load_config({role: {"model": str(folder), "backend": "transformers", "generation": generation},
                          "runtime": {"device": "cpu"}})
    return load_model(getattr(config, role), config.runtime, role)


def _stock_texts(folder: Path, generation_config: Any, texts: list[str]) -> list[str]:
    """What plain transformers generates for ``texts`` with the same settings."""
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    with torch.inference_mode():
        out = model.generate(**tokenizer(texts, return_tensors="pt", padding=True), generation_config=generation_config)
    return [text.strip() for text in tokenizer.batch_decode(out, skip_special_tokens=True)]


@pytest.fixture
def reorders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the cache layers that beam search reorders (self-attention and cross-attention alike)."""
    from transformers.cache_utils import DynamicLayer

    calls: list[int] = []
    real = DynamicLayer.reorder_cache

    def counting(self: Any, beam_idx: Any) -> None:
        calls.append(1)
        real(self, beam_idx)

    monkeypatch.setattr(DynamicLayer, "reorder_cache", counting)
    return calls


@pytest.mark.parametrize("num_beams", [2, 4])
@pytest.mark.parametrize("name", ["marian", "bart"])
def test_shared_source_beam_search_gives_the_stock_tokens(sharp_models, reorders, name, num_beams):
    model = _load(sharp_models[name], {"num_beams": num_beams, "max_new_tokens": 10, "min_length": 0})
    reorders.clear()  # the load-time probe's own generate
    ours = [g.text for g in model.generate_batch(SEGMENTS)]
    ours_reordered = len(reorders)
    reorders.clear()
    stock = _stock_texts(sharp_models[name], model.generation_config, SEGMENTS)

    assert len(set(stock)) > 1  # outputs depend on the input, so equality means something
    assert ours == stock
    if in_tested_range():  # elsewhere the load-time self-check picks the path (tests/test_speedups.py)
        assert model.describe()["beam_search"] == "shared-source"
        assert 0 < ours_reordered == len(reorders) // 2  # only the self-attention half of the cache was moved


def test_greedy_search_gives_the_stock_tokens(sharp_models):
    greedy = {"num_beams": 1, "early_stopping": False, "length_penalty": 1.0, "max_new_tokens": 10, "min_length": 0}
    model = _load(sharp_models["bart"], greedy)
    assert [g.text for g in model.generate_batch(SEGMENTS)] == _stock_texts(sharp_models["bart"],
                                                                          model.generation_config, SEGMENTS)


@pytest.mark.parametrize("kind", ["bad_words", "min_length", "min_new_tokens"])
def test_lean_processors_ban_exactly_what_the_stock_ones_ban(kind):
    import torch
    from transformers.generation.logits_process import (
        MinLengthLogitsProcessor,
        MinNewTokensLengthLogitsProcessor,
        NoBadWordsLogitsProcessor,
    )

    from pipeline.models.hf.processors import SuppressColumns, lean_replacement

    stock = {
        "bad_words": NoBadWordsLogitsProcessor([[7], [3], [2]], eos_token_id=2),  # eos is never banned
        "min_length": MinLengthLogitsProcessor(5, eos_token_id=[2, 9]),
        "min_new_tokens": MinNewTokensLengthLogitsProcessor(2, 3, eos_token_id=2),
    }[kind]
    lean = lean_replacement(stock)
    assert isinstance(lean, SuppressColumns)
    torch.manual_seed(0)
    banned_somewhere = False
    for length in range(1, 8):
        input_ids = torch.zeros(6, length, dtype=torch.long)
        scores = torch.randn(6, 12).log_softmax(-1)
        expected = stock(input_ids, scores.clone())
        assert torch.equal(lean(input_ids, scores.clone()), expected)
        banned_somewhere |= bool(torch.isinf(expected).any())
    assert banned_somewhere


def test_processors_that_are_not_plain_bans_are_kept():
    from transformers.generation.logits_process import NoBadWordsLogitsProcessor, NoRepeatNGramLogitsProcessor

    from pipeline.models.hf.processors import lean_replacement

    multi_token = NoBadWordsLogitsProcessor([[7, 8]], eos_token_id=2)
    ngrams = NoRepeatNGramLogitsProcessor(3)
    assert lean_replacement(multi_token) is multi_token
    assert lean_replacement(ngrams) is ngrams


@pytest.mark.parametrize(("name", "generation"), [
    ("marian", {"max_new_tokens": 10}),  # opus-mt bans its pad token
    ("marian", {"max_new_tokens": 8, "min_new_tokens": 8}),  # pinned length: the ban meets the forced EOS
    ("bart", {"max_new_tokens": 10, "min_length": 6}),
])
def test_generate_with_lean_processors_gives_the_stock_tokens(sharp_models, monkeypatch, name, generation):
    from pipeline.models.hf import processors

    calls: list[int] = []
    real = processors.SuppressColumns.__call__
    monkeypatch.setattr(processors.SuppressColumns, "__call__",
                        lambda self, ids, scores: calls.append(1) or real(self, ids, scores))
    model = _load(sharp_models[name], generation)
    ours = [g.text for g in model.generate_batch(SEGMENTS)]

    assert calls or not in_tested_range()  # the in-place processors ran
    assert ours == _stock_texts(sharp_models[name], model.generation_config, SEGMENTS)
