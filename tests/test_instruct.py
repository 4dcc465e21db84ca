"""Decoder-only instruct models as translator and summarizer, on both backends, on tiny random-weight checkpoints
with the real files of each family (scripts/tiny_instruct.py): every seed document through the runner and
through summarize(), no echo, no markup, batched = alone, chunks within the context, prompts used and recorded,
one load for both stages, reproducible sampling, and the families CTranslate2 would run differently refused
before any conversion."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from pipeline.api import summarize
from pipeline.config import ConfigError, load_config
from pipeline.core import Pipeline
from pipeline.models.factory import load_model
from pipeline.run import main
from pipeline.text.segment import document_sentences
from tests.conftest import SEEDS, records, squash, write_config

BACKENDS = ["transformers", "ctranslate2"]
# short outputs keep the suite fast; min_new_tokens keeps random weights from ending the turn at once
TRANSLATION = {"max_new_tokens": 48, "min_new_tokens": 2}
SUMMARY = {"max_new_tokens": 8, "min_new_tokens": 4}
GREEDY = {"do_sample": False}
TEXTS = [
    "Der Umsatz stieg um 3,5 Prozent.",
    "Die Deutsche Bank hat im dritten Quartal einen Gewinn von 1,3 Milliarden Euro erzielt. Der Umsatz stieg um "
    "12,5 Prozent auf 7,8 Mrd. €, teilte das Unternehmen am Donnerstag mit. Die Aktie schloss mit einem Plus.",
    "Die EZB ließ den Leitzins unverändert.",
]


@pytest.fixture(scope="session")
def ct2_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One conversion cache for the session: each tiny checkpoint is converted once."""
    return tmp_path_factory.mktemp("ct2-cache")


def instruct_config(model: Path, tmp_path: Path, backend: str, cache: Path, **sections: Any):
    data: dict[str, Any] = {
        "input": {"path": str(SEEDS)},
        "output": {"path": str(tmp_path / "out" / "records.jsonl")},
        "translation": {"model": str(model), "backend": backend, "compute_type": "float32",
                        "generation": dict(TRANSLATION)},
        "summarization": {"model": str(model), "backend": backend, "compute_type": "float32",
                          "generation": dict(SUMMARY)},
        # one thread: the suite shares few cores; large batches: tiny models spend their time per decoding step
        "runtime": {"device": "cpu", "progress": False, "group_size": 4, "batch_size": 64,
                    "max_batch_tokens": None, "threads": 1, "cache_dir": str(cache)},
    }
    return load_config(data, overrides=sections or None)


def _load(model: Path, backend: str, cache: Path, role: str = "summarization", **section: Any):
    config = instruct_config(model, cache, backend, cache, **{role: section})
    return load_model(getattr(config, role), config.runtime, role)


def _markup(model: Any) -> list[str]:
    return [str(t) for t in model.tokenizer.added_tokens_decoder.values()]


@pytest.mark.parametrize("backend", BACKENDS)
def test_batched_equals_alone_without_echo_or_markup(instruct_models, ct2_cache, backend):
    model = _load(instruct_models("qwen2"), backend, ct2_cache, generation={**SUMMARY, **GREEDY,
                                                                            "max_new_tokens": 24})
    batched = model.generate_batch(TEXTS)
    alone = [model.generate_batch([text])[0] for text in TEXTS]
    assert batched == alone
    prompt = model.prompter.template.split("{text}")[0].strip()
    for out in batched:
        assert out.text and 0 < out.tokens <= 24
        assert prompt[:40] not in out.text and model.prompter.system not in out.text  # no echo
        assert not any(token in out.text for token in _markup(model))  # no chat markup, no think tags


@pytest.mark.parametrize("backend", BACKENDS)
def test_seeds_through_the_runner(instruct_models, ct2_cache, tmp_path, backend):
    config = instruct_config(instruct_models("qwen2"), tmp_path, backend, ct2_cache)
    assert main([str(write_config(config, tmp_path / "c.yaml"))]) == 0
    out = Path(config.output.path)
    got = records(out)
    seeds = sorted(SEEDS.glob("*.txt"))
    assert [r["id"] for r in got] == [p.stem for p in seeds]
    for record, path in zip(got, seeds, strict=True):
        assert record["status"] == "ok", record["error"]
        assert record["summary"] and record["translation"]
        assert squash("".join(s["source"] for s in record["segments"])) == squash(path.read_text())
    manifest = json.loads((out.parent / "records.manifest.json").read_text())
    for role in ("translation", "summarization"):
        facts = json.dumps(manifest)
        section = getattr(config, role)
        assert json.dumps(section.prompt)[1:-1] in facts and json.dumps(section.system_prompt)[1:-1] in facts
    assert "chat_template_sha256" in json.dumps(manifest) and '"qwen2"' in json.dumps(manifest)


@pytest.mark.parametrize("backend", BACKENDS)
def test_seeds_through_summarize_with_one_load(instruct_models, ct2_cache, tmp_path, backend):
    config = instruct_config(instruct_models("qwen2"), tmp_path, backend, ct2_cache)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    results = summarize(texts, config=config)
    assert [r.status for r in results] == ["ok"] * len(texts), [r.error for r in results]
    pipe = Pipeline(config)
    weights = "model" if backend == "transformers" else "generator"
    assert getattr(pipe.translator, weights) is getattr(pipe.summarizer, weights)  # one checkpoint, loaded once
    assert pipe.translator.describe()["prompt"] == config.translation.prompt
    assert pipe.summarizer.describe()["prompt"] == config.summarization.prompt
    # the translator reads sentences packed up to its budget, not one by one
    result = pipe(texts[0])
    assert any(len(document_sentences(segment.source)) > 1 for segment in result.segments)


@pytest.mark.parametrize("backend", BACKENDS)
def test_long_text_is_summarized_in_chunks_within_the_context(instruct_models, ct2_cache, tmp_path, backend):
    config = instruct_config(instruct_models("qwen2"), tmp_path, backend, ct2_cache,
                             summarization={"max_context_tokens": 320, "generation": {**SUMMARY, **GREEDY}})
    pipe = Pipeline(config)
    summarizer = pipe.summarizer
    assert summarizer.max_input_tokens + SUMMARY["max_new_tokens"] <= 320
    text = (SEEDS / "003_autozulieferer_jahresbilanz.txt").read_text(encoding="utf-8")
    result = pipe(text)
    assert result.status == "ok" and result.summarization.chunks > 1
    with pytest.raises(ValueError, match="not truncated"):  # an input over the budget is refused, never cut
        summarizer.generate_batch([text])


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_prompt_is_what_the_model_reads(instruct_models, ct2_cache, backend):
    model = _load(instruct_models("qwen2"), backend, ct2_cache, generation={**SUMMARY, **GREEDY})
    other = model.reconfigured(dataclasses.replace(model.spec, prompt="TL;DR: {text}"), seed=0)
    assert other.count_tokens(TEXTS) != model.count_tokens(TEXTS)
    assert other.generate_batch(TEXTS) != model.generate_batch(TEXTS)


@pytest.mark.parametrize("backend", BACKENDS)
def test_sampling_of_the_checkpoint_is_reproducible_with_the_seed(instruct_models, ct2_cache, backend):
    folder = instruct_models("qwen2")  # Qwen's generation_config samples (do_sample, temperature 0.7, top_p 0.8)
    first = _load(folder, backend, ct2_cache, generation=SUMMARY)
    assert first.generation_config.do_sample
    again = _load(folder, backend, ct2_cache, generation=SUMMARY)
    samples = first.generate_batch(TEXTS)
    assert samples == again.generate_batch(TEXTS)
    # every batch starts from the seed, whatever ran before it: a resumed run samples as an uninterrupted one
    again.generate_batch(TEXTS[:1])
    assert again.generate_batch(TEXTS) == samples


@pytest.mark.parametrize("family", ["qwen3", "llama", "gemma2", "gemma3", "mistral", "phi3"])
def test_every_family_batches_like_alone_on_transformers(instruct_models, ct2_cache, family):
    model = _load(instruct_models(family), "transformers", ct2_cache, role="translation",
                  generation={"max_new_tokens": 12, **GREEDY})
    batched = model.generate_batch(TEXTS)
    assert batched == [model.generate_batch([text])[0] for text in TEXTS]
    assert not any(token in out.text for out in batched for token in _markup(model))


@pytest.mark.parametrize("family", ["qwen3", "gemma3", "mistral"])
def test_ctranslate2_gives_the_tokens_of_transformers(instruct_models, ct2_cache, family):
    models = [_load(instruct_models(family), backend, ct2_cache, generation={"max_new_tokens": 12, **GREEDY})
              for backend in BACKENDS]
    assert models[0].generate_batch(TEXTS) == models[1].generate_batch(TEXTS)


@pytest.mark.parametrize("family", ["llama", "gemma2", "phi3"])
def test_a_family_ctranslate2_runs_differently_is_refused_before_conversion(instruct_models, tmp_path, family):
    with pytest.raises(ConfigError, match="backend: transformers"):
        _load(instruct_models(family), "ctranslate2", tmp_path / "cache")
    converted = list((tmp_path / "cache").rglob("model.bin"))
    assert converted == []
