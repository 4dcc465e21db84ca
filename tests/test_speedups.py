"""The gate in front of the generate speed-ups (``pipeline.models.hf.speedups``): a transformers whose private hooks
changed, or one outside the tested range whose self-check fails, runs stock ``generate``, gives stock tokens,
and says so in ``describe()`` (so in the manifest)."""

from __future__ import annotations

import inspect
import logging

import pytest

from pipeline.models.hf import beams, speedups
from tests.test_transformers_backend import SEGMENTS, _load, _stock_texts

BEAMS = {"num_beams": 4, "max_new_tokens": 10, "min_length": 6}  # beam search and a minimum-length ban


@pytest.fixture
def warnings(monkeypatch, caplog) -> None:
    """A fresh once-only warning register, and the gate's warnings captured."""
    monkeypatch.setattr(speedups, "_warned", set())
    caplog.set_level(logging.WARNING, logger="pipeline.models.hf.speedups")


def _speedup_warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "pipeline.models.hf.speedups"]


def _ours_and_stock(folder, generation=BEAMS):
    model = _load(folder, generation)
    ours = [g.text for g in model.generate_batch(SEGMENTS)]
    stock = _stock_texts(folder, model.generation_config, SEGMENTS)
    assert len(set(stock)) > 1  # outputs depend on the input, so equality means something
    return model, ours, stock


def test_changed_hooks_switch_the_speedups_off(sharp_models, monkeypatch, warnings, caplog):
    from transformers.generation.utils import GenerationMixin

    real_processors, real_beam_search = GenerationMixin._get_logits_processor, GenerationMixin._beam_search

    # a release that adds a parameter to _get_logits_processor and moves the cache reorder out of _beam_search
    def _get_logits_processor(self, generation_config, *args, tokenizer=None, **kwargs):
        return real_processors(self, generation_config, *args, **kwargs)

    def _beam_search(self, *args, **kwargs):
        return real_beam_search(self, *args, **kwargs)

    monkeypatch.setattr(GenerationMixin, "_get_logits_processor", _get_logits_processor)
    monkeypatch.setattr(GenerationMixin, "_beam_search", _beam_search)
    for name in ("bart", "marian"):
        model, ours, stock = _ours_and_stock(sharp_models[name])
        described = model.describe()
        assert (described["beam_search"], described["logits_bans"]) == ("stock", "stock")
        assert "_get_logits_processor" in described["speedups"] and "_reorder_cache" in described["speedups"]
        assert ours == stock
    assert len(_speedup_warnings(caplog)) == 1  # one warning, however many models


def test_a_resignatured_expand_hook_keeps_the_reorder_only(sharp_models, monkeypatch, warnings, caplog):
    from transformers.generation.utils import GenerationMixin

    real = inspect.getattr_static(GenerationMixin, "_expand_inputs_for_generation")

    def _expand_inputs_for_generation(self, expand_size=1, is_encoder_decoder=False, input_ids=None,
                                      mm_token_type_ids=None, **model_kwargs):
        return real.__get__(self, type(self))(expand_size=expand_size, is_encoder_decoder=is_encoder_decoder,
                                              input_ids=input_ids, **model_kwargs)

    monkeypatch.setattr(GenerationMixin, "_expand_inputs_for_generation", _expand_inputs_for_generation)
    model, ours, stock = _ours_and_stock(sharp_models["bart"])
    assert model.describe()["beam_search"] == "self-attention-reorder"
    assert "_expand_inputs_for_generation" in model.describe()["speedups"]
    assert ours == stock
    assert len(_speedup_warnings(caplog)) == 1


def test_outside_the_tested_range_a_self_check_decides(sharp_models, monkeypatch, warnings):
    monkeypatch.setattr(speedups, "TESTED_TRANSFORMERS", ("0.1", "0.2"))
    model, ours, stock = _ours_and_stock(sharp_models["marian"])
    described = model.describe()
    assert described["beam_search"] != "stock" and described["logits_bans"] == "in-place"
    assert "self-check" in described["speedups"]
    assert ours == stock


def test_a_failed_self_check_runs_stock_generate(sharp_models, monkeypatch, warnings, caplog):
    def broken_reorder(cache, beam_idx):
        raise RuntimeError("reorder_cache() got an unexpected keyword argument")

    monkeypatch.setattr(speedups, "TESTED_TRANSFORMERS", ("0.1", "0.2"))
    monkeypatch.setattr(beams, "reorder_self_attention_only", broken_reorder)
    model, ours, stock = _ours_and_stock(sharp_models["marian"])
    described = model.describe()
    assert (described["beam_search"], described["logits_bans"]) == ("stock", "stock")
    assert "self-check failed" in described["speedups"]
    assert ours == stock
    assert len(_speedup_warnings(caplog)) == 1
