"""The notebook API on tiny models: keywords, models loaded once, interrupts, streaming, progress, quiet."""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys

import pytest

from pipeline import api, to_dataframe
from pipeline.config import ConfigError
from pipeline.core import Pipeline
from pipeline.progress import DocumentBar
from pipeline.results import Document, DocumentResult, ResultList
from tests.conftest import ROOT, SEEDS, tiny_config

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
SHORT_TEXTS = ["Die Firma meldete am Dienstag einen Gewinn von 5 Millionen Euro.",
               "Der Umsatz stieg um 12 Prozent auf 3,4 Milliarden Euro.",
               "Im Werk in Dresden arbeiten 900 Menschen.",
               "Die Aktie fiel am Freitag um 2,5 Prozent."]


@pytest.fixture
def fresh_cache(monkeypatch):
    """summarize() with an empty pipeline cache, restored afterwards."""
    monkeypatch.setattr(api, "_CACHE", {})
    return api._CACHE


@pytest.fixture
def load_calls(monkeypatch):
    """Every AutoModelForSeq2SeqLM.from_pretrained call (a counting spy around the real one)."""
    from transformers import AutoModelForSeq2SeqLM

    real = AutoModelForSeq2SeqLM.from_pretrained
    calls: list[str] = []

    def counting(cls, name, *args, **kwargs):
        calls.append(str(name))
        return real(name, *args, **kwargs)

    monkeypatch.setattr(AutoModelForSeq2SeqLM, "from_pretrained", classmethod(counting))
    return calls


def sharp_config(models, tmp_path, **sections):
    """Tiny-config sections on the input-sensitive (sharp) models."""
    base = tiny_config(models, tmp_path).to_dict()
    base["translation"]["model"] = str(models["marian"])
    base["summarization"]["model"] = str(models["bart"])
    from pipeline.config import load_config

    return load_config(base, overrides=sections or None)


# -- import and signatures ----------------------------------------------------------------------------


def test_import_is_cheap_and_the_public_names_are_plain_attributes():
    code = ("import sys, pipeline; "
            "names = [n for n in pipeline.__all__ if n not in vars(pipeline)]; "
            "print(names, 'torch' in sys.modules, 'transformers' in sys.modules, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout.split()
    assert out == ["[]", "False", "False", "False"]
    import pipeline

    assert not hasattr(pipeline, "__getattr__")  # no lazy exports an IDE cannot see
    for name in ("summarize", "Pipeline", "get_pipeline", "to_dataframe", "ResultList", "DocumentResult"):
        assert name in pipeline.__all__


def test_summarize_signature_and_docstring():
    params = inspect.signature(api.summarize).parameters
    assert list(params) == ["texts", "device", "batch_size", "backend", "progress", "config", "sections"]
    assert all(params[name].kind is inspect.Parameter.KEYWORD_ONLY for name in list(params)[1:-1])
    doc = api.summarize.__doc__
    assert "Args:" in doc and "Returns:" in doc
    if sys.version_info >= (3, 11):
        import typing

        returns = [inspect.signature(f).return_annotation for f in typing.get_overloads(api.summarize)]
        assert returns == ["DocumentResult", "ResultList"]
        returns = [inspect.signature(f).return_annotation for f in typing.get_overloads(Pipeline.__call__)]
        assert returns == ["DocumentResult", "ResultList"]


def test_flat_keywords_are_shortcuts_for_the_sections():
    merged = api.shortcut_overrides({"runtime": {"group_size": 8, "batch_size": 2}, "language": {"detect": False}},
                                    device="cpu", batch_size=4, backend="ctranslate2")
    assert merged == {"runtime": {"group_size": 8, "batch_size": 4, "device": "cpu"},
                      "language": {"detect": False},
                      "translation": {"backend": "ctranslate2"}, "summarization": {"backend": "ctranslate2"}}
    assert api.shortcut_overrides({}) == {}


def test_summarize_takes_flat_keywords_and_sections(tiny_models, tmp_path, fresh_cache):
    config = tiny_config(tiny_models, tmp_path)
    result = api.summarize(SHORT_TEXTS[0], config=config, device="cpu", batch_size=3, backend="transformers",
                           runtime={"group_size": 2}, language={"english": "translate"})
    assert isinstance(result, DocumentResult) and result.status == "ok"
    runtime = fresh_cache["pipeline"].config.runtime
    assert (runtime.device, runtime.batch_size, runtime.group_size) == ("cpu", 3, 2)
    assert fresh_cache["pipeline"].config.language.english == "translate"
    results = api.summarize(SHORT_TEXTS[:2], config=config)
    assert isinstance(results, ResultList) and isinstance(results, list) and len(results) == 2
    with pytest.raises(ConfigError, match="runtime.device"):
        api.summarize("Text.", config=config, device="gpu")


# -- models loaded once ---------------------------------------------------------------------------------


def test_changing_call_settings_does_not_load_the_models_again(sharp_models, tmp_path, fresh_cache, load_calls):
    config = sharp_config(sharp_models, tmp_path)
    api.summarize(SHORT_TEXTS[:2], config=config, batch_size=8)
    assert len(load_calls) == 2
    loaded = fresh_cache["pipeline"]
    rows: list[int] = []
    real_generate = loaded.translator.model.generate

    def recording(**kwargs):
        rows.append(kwargs["input_ids"].shape[0])
        return real_generate(**kwargs)

    loaded.translator.model.generate = recording  # the loaded torch model, shared by every reuse
    changes = {"translation": {"generation": {"max_new_tokens": 3, "num_beams": 1}},
               "summarization": {"generation": {"max_new_tokens": 5}},
               "language": {"detect": False}, "runtime": {"group_size": 2, "seed": 7, "max_batch_tokens": None}}
    results = api.summarize(SHORT_TEXTS, config=config, batch_size=1, progress=False, **changes)
    assert len(load_calls) == 2, load_calls  # nothing loaded again
    pipe = fresh_cache["pipeline"]
    assert pipe.translator.model is loaded.translator.model and pipe.summarizer.model is loaded.summarizer.model
    # the new settings hold: batches of one, the new generation settings, no language detection
    assert rows and set(rows) == {1}
    assert pipe.translator.generation_config.max_new_tokens == 3
    assert all(r.language is None for r in results)
    del loaded.translator.model.generate
    # ... and give what a pipeline loaded with them gives, not what the old settings give
    fresh = Pipeline(config, **{**changes, "runtime": {**changes["runtime"], "batch_size": 1}})
    assert fresh(SHORT_TEXTS, progress=False) == results
    assert loaded(SHORT_TEXTS, progress=False) != results
    assert loaded.translator.generation_config.max_new_tokens == 12  # the old pipeline keeps its settings


def test_a_loading_setting_loads_only_that_model_again(sharp_models, tiny_models, tmp_path, fresh_cache,
                                                       load_calls):
    config = sharp_config(sharp_models, tmp_path)
    api.summarize(SHORT_TEXTS[0], config=config)
    summarizer = fresh_cache["pipeline"].summarizer.model
    api.summarize(SHORT_TEXTS[0], config=config, translation={"model": str(tiny_models["marian_short"])})
    assert load_calls == [str(sharp_models["marian"]), str(sharp_models["bart"]), str(tiny_models["marian_short"])]
    assert fresh_cache["pipeline"].summarizer.model is summarizer
    api.summarize(SHORT_TEXTS[0], config=config, runtime={"dtype": "float32"})  # dtype: both again
    assert len(load_calls) == 5


def test_an_interrupted_load_keeps_the_cached_pipeline(tiny_models, tmp_path, fresh_cache, monkeypatch):
    config = tiny_config(tiny_models, tmp_path)
    expected = api.summarize(SHORT_TEXTS[0], config=config)
    cached = fresh_cache["pipeline"]
    from transformers import AutoModelForSeq2SeqLM

    def interrupted(cls, *args, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(AutoModelForSeq2SeqLM, "from_pretrained", classmethod(interrupted))
        with pytest.raises(KeyboardInterrupt):
            api.summarize(SHORT_TEXTS[0], config=config, runtime={"dtype": "float32"})
    assert fresh_cache["pipeline"] is cached
    assert api.summarize(SHORT_TEXTS[0], config=config) == expected


# -- interrupts ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["translator", "summarizer"])
def test_an_interrupted_call_leaves_the_pipeline_usable(sharp_models, tmp_path, fresh_cache, role):
    config = sharp_config(sharp_models, tmp_path, runtime={"batch_size": 2, "group_size": 2})
    expected = Pipeline(config)(SHORT_TEXTS, progress=False)
    api.summarize(SHORT_TEXTS[:1], config=config)
    model = getattr(fresh_cache["pipeline"], role).model
    real, calls = model.generate, []

    def interrupted(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(**kwargs)

    model.generate = interrupted
    with pytest.raises(KeyboardInterrupt):
        api.summarize(SHORT_TEXTS, config=config, progress=True)
    assert len(calls) == 2
    assert api.summarize(SHORT_TEXTS, config=config) == expected
    assert list(fresh_cache["pipeline"].stream(iter(SHORT_TEXTS))) == expected
    del model.generate


# -- streaming -----------------------------------------------------------------------------------------


def test_stream_keeps_order_and_yields_early_in_growing_groups(tiny_pipeline):
    size = tiny_pipeline.config.runtime.group_size
    texts = [*SHORT_TEXTS, "", None, *SHORT_TEXTS, *SHORT_TEXTS]
    consumed = []

    def source():
        for text in texts:
            consumed.append(text)
            yield text

    stream = tiny_pipeline.stream(source())
    assert consumed == []  # lazy: nothing read before the first result is asked for
    results, read = [], []
    for result in stream:
        results.append(result)
        read.append(len(consumed))
    assert read[0] == 1  # the first result after one text, not a whole group
    groups = [b - a for a, b in zip([0, *read], read, strict=False) if b > a]
    assert groups == [1, 2, 4, 4, 3] and max(groups) == size  # growing up to the group size
    assert [r.id for r in results] == [str(i) for i in range(len(texts))]
    assert [r.status for r in results][len(SHORT_TEXTS):len(SHORT_TEXTS) + 2] == ["skipped", "error"]
    assert results == tiny_pipeline(texts)


def test_a_series_index_and_mapping_keys_become_the_ids(tiny_pipeline):
    pd = pytest.importorskip("pandas")
    datasets = pytest.importorskip("datasets")
    expected = tiny_pipeline(SHORT_TEXTS[:3])
    series = pd.Series(SHORT_TEXTS[:3], index=["a7", 11, "z"])
    by_index = tiny_pipeline(series)
    assert [r.id for r in by_index] == ["a7", "11", "z"]
    assert [r.summary for r in by_index] == [r.summary for r in expected]
    assert [r.id for r in tiny_pipeline.stream(series)] == ["a7", "11", "z"]
    assert [r.id for r in tiny_pipeline({"x": SHORT_TEXTS[0], 5: SHORT_TEXTS[1]})] == ["x", "5"]
    column = datasets.Dataset.from_dict({"text": SHORT_TEXTS[:3]})["text"]
    assert list(tiny_pipeline.stream(column)) == expected
    assert tiny_pipeline(pd.Series(SHORT_TEXTS[:3])) == expected  # a default index: "0", "1", ...
    assert list(to_dataframe(by_index)["id"]) == ["a7", "11", "z"]  # joins back to the Series


def test_a_text_that_is_a_file_path_gets_a_warning_saying_how_to_read_it(tiny_pipeline, tmp_path):
    path = tmp_path / "doc.txt"
    path.write_text(SHORT_TEXTS[0], encoding="utf-8")
    with pytest.warns(UserWarning, match="read_text"):
        result = tiny_pipeline(str(path))
    assert any(str(path) in w and "read_text" in w for w in result.warnings)
    plain = tiny_pipeline(SHORT_TEXTS[0])
    assert not any("read_text" in w for w in plain.warnings)
    missing = tiny_pipeline(str(tmp_path / "no_such.txt"))
    assert not any("read_text" in w for w in missing.warnings)


@pytest.mark.parametrize(("typo", "suggested"), [("batchsize", "batch_size"), ("devise", "device"),
                                                  ("progres", "progress"), ("backnd", "backend"),
                                                  ("conifg", "config"), ("runtim", "runtime"),
                                                  ("group_size", "runtime=")])
def test_an_unknown_keyword_gets_a_did_you_mean_over_shortcuts_and_sections(typo, suggested, fresh_cache):
    with pytest.raises(ConfigError, match=suggested):
        api.summarize("Ein Text.", **{typo: 8})
    assert fresh_cache == {}  # refused before anything loads


# -- progress --------------------------------------------------------------------------------------------


def test_progress_moves_within_one_long_document(tiny_models, tmp_path):
    pipe = Pipeline(tiny_config(tiny_models, tmp_path, runtime={"batch_size": 2}))
    shares: list[float] = []
    (result,) = pipe.process([Document("long", " ".join(SHORT_TEXTS * 2))], on_progress=shares.append)
    assert len(result.segments) == 8
    inside = [s for s in shares if 0 < s < 1]
    assert len(inside) >= 4  # four batches of two segments, then the summarizer's
    assert shares == sorted(shares) and shares[-1] == 1.0


def test_document_bar_counts_fractions_of_groups(capsys):
    bar = DocumentBar(4, enabled=True)
    move = bar.group(2)
    move(0.25)
    move(0.5)
    assert bar.position == pytest.approx(1.0)
    bar.finish_group()
    bar.group(2)(0.5)
    assert bar.position == pytest.approx(3.0)
    bar.finish_group()
    bar.close()
    err = capsys.readouterr().err
    assert "documents 4/4" in err and "doc/s" in err  # whole documents, and the rate
    silent = DocumentBar(4, enabled=False)
    assert silent.group(4) is None
    silent.finish_group()
    silent.close()


def test_progress_bar_default_on_for_several_documents(tiny_models, tmp_path, capsys):
    config = tiny_config(tiny_models, tmp_path, runtime={"progress": True})
    shown = Pipeline(config)
    shown(SHORT_TEXTS[:2])
    err = capsys.readouterr().err
    # the loading line names the models, before the first bar, and is one line once they are loaded
    loading, bar = err.find("loading models"), err.find("documents")
    assert 0 <= loading < bar
    assert config.translation.model in err[loading:bar] and config.summarization.model in err[loading:bar]
    assert err[:bar].count("\n") == 1 and "models loaded" in err[:bar]
    Pipeline(config, progress=False)
    assert capsys.readouterr().err == ""
    shown(SHORT_TEXTS[0])  # one document: no bar unless asked
    assert capsys.readouterr().err == ""
    shown(SHORT_TEXTS[0], progress=True)
    assert "1/1" in capsys.readouterr().err
    shown(SHORT_TEXTS[:2], progress=False)
    assert capsys.readouterr().err == ""
    shown.with_config(runtime={"progress": False})(SHORT_TEXTS[:2])
    assert capsys.readouterr().err == ""


# -- quiet -----------------------------------------------------------------------------------------------

QUIET_SCRIPT = """
import json, logging, sys
from pipeline import Pipeline
if sys.argv[2] == "debug":
    logging.basicConfig(level=logging.DEBUG)
pipe = Pipeline(json.loads(sys.argv[1]))
pipe(["Die Firma meldete am Dienstag einen Gewinn.", "Der Umsatz stieg um 12 Prozent."], progress=False)
"""


@pytest.mark.parametrize("level", ["default", "debug"])
def test_loading_and_calling_print_nothing(tiny_models, tmp_path, level):
    config = tiny_config(tiny_models, tmp_path).to_dict()
    done = subprocess.run([sys.executable, "-c", QUIET_SCRIPT, json.dumps(config), level], capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0, done.stderr
    if level == "default":
        assert (done.stdout, done.stderr) == ("", "")
    else:  # logging at DEBUG brings the third-party bars back
        assert "Loading weights" in done.stderr


def test_quiet_loading_restores_the_third_party_switches():
    from huggingface_hub import utils as hub_utils
    from transformers.utils import logging as hf_logging

    from pipeline.progress import quiet_loading

    before = (hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled(),
              hub_utils.are_progress_bars_disabled())
    with quiet_loading():
        assert not hf_logging.is_progress_bar_enabled() and hub_utils.are_progress_bars_disabled()
        assert hf_logging.get_verbosity() == hf_logging.ERROR
    assert (hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled(),
            hub_utils.are_progress_bars_disabled()) == before
    with pytest.raises(RuntimeError), quiet_loading():
        raise RuntimeError("load failed")
    assert hf_logging.get_verbosity() == before[0]


def test_ctranslate2_models_take_new_settings_without_loading(sharp_models, tmp_path, monkeypatch):
    ctranslate2 = pytest.importorskip("ctranslate2")
    real, made = ctranslate2.Translator, []

    def counting(*args, **kwargs):
        made.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(ctranslate2, "Translator", counting)
    backends = {"translation": {"backend": "ctranslate2", "compute_type": "float32"},
                "summarization": {"backend": "ctranslate2", "compute_type": "float32"}}
    config = sharp_config(sharp_models, tmp_path, runtime={"cache_dir": str(tmp_path / "cache")}, **backends)
    pipe = Pipeline(config)
    assert len(made) == 2
    changes = {"translation": {"generation": {"max_new_tokens": 3}}, "runtime": {"batch_size": 1}}
    changed = pipe.with_config(**changes)
    assert len(made) == 2 and changed.translator.translator is pipe.translator.translator
    steps = "max_decoding_length"
    assert changed.translator.plan.options[steps] < pipe.translator.plan.options[steps]
    assert changed(SHORT_TEXTS[:2], progress=False) == Pipeline(config, **changes)(SHORT_TEXTS[:2], progress=False)
    assert len(made) == 4  # only the fresh pipeline loaded
    pipe.with_config(runtime={"seed": 3})  # CTranslate2 seeds its threads when they start: loaded again
    assert len(made) == 6
