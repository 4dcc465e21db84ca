"""The CTranslate2 backend against the transformers backend, on tiny random-weight checkpoints.

Both backends are loaded through ``pipeline.core.load_model``. The tiny models of ``conftest`` give the same
output for every input (their random weights are too small for the input to matter), which would make an
equality test blind to how the source reaches the model; the tests therefore use ``conftest.sharp_models``
(weights scaled up, so that outputs depend on the input).
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ctranslate2")

from pipeline.config import ConfigError, load_config  # noqa: E402
from pipeline.core import Pipeline  # noqa: E402
from pipeline.models.ct2 import backend as ct2  # noqa: E402
from pipeline.models.ct2 import cache as ct2_cache  # noqa: E402
from pipeline.models.factory import load_model
from pipeline.models.generation import Generated  # noqa: E402
from pipeline.results import Document  # noqa: E402
from scripts.tiny_base import (  # noqa: E402
    FRENCH_LINES,
    GERMAN_LINES,  # noqa: E402
    ITALIAN_LINES,
)
from tests.conftest import ROLES, SEEDS, squash, tiny_config  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Recommended. pip install sacremoses")

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
SEGMENTS = [*GERMAN_LINES, "Kurz.", "Die Aktie stieg.", "Am Montag.", "Was nun, Herr Müller?"]
# BART's own settings are beam-only (early_stopping, length_penalty): reset them for greedy decoding
GREEDY = {"num_beams": 1, "early_stopping": False, "length_penalty": 1.0, "max_new_tokens": 12}


# the families CTranslate2 converts besides Marian and BART (tiny_families names), and the section of each
FAMILY_ROLES = {"nllb": "translation", "m2m100": "translation", "mbart50": "translation", "t5": "summarization",
                "pegasus": "summarization"}
# T5's and Pegasus' minimum lengths (30, 32) exceed the short outputs of the tests
FAMILY_GREEDY = {**GREEDY, "min_length": 0}
MULTILINGUAL = ("nllb", "m2m100", "mbart50")
# a mix of German, French and Italian rows, each with its language, for the multilingual translators
MIXED = [*GERMAN_LINES[:6], *FRENCH_LINES[:4], *ITALIAN_LINES[:4]]
MIXED_LANGUAGES = ["de"] * 6 + ["fr"] * 4 + ["it"] * 4
FRENCH_DOC = " ".join(FRENCH_LINES[:4]) + "\n\n" + " ".join(FRENCH_LINES[4:])


def _load(folder: Path, backend: str, generation: dict[str, Any], cache: Path, **section: Any) -> Any:
    role = ROLES.get(folder.name) or FAMILY_ROLES.get(folder.name) or section.pop("role")
    data = {role: {"model": str(folder), "backend": backend, "compute_type": "float32",
                   "generation": generation, **section},
            "runtime": {"device": "cpu", "cache_dir": str(cache)}}
    config = load_config(data)
    return load_model(getattr(config, role), config.runtime, role)


def _pair(folder: Path, generation: dict[str, Any], cache: Path, hf_extra: dict[str, Any] | None = None):
    hf = _load(folder, "transformers", {**generation, **(hf_extra or {})}, cache)
    fast = _load(folder, "ctranslate2", generation, cache)
    return hf, fast


def _agreement(a: list[Generated], b: list[Generated]) -> float:
    return sum((x.text, x.tokens) == (y.text, y.tokens) for x, y in zip(a, b, strict=True)) / len(a)


class _Recorder:
    """Wraps a ctranslate2.Translator: records the arguments and results of translate_batch."""

    def __init__(self, translator: Any):
        self.translator = translator
        self.calls: list[tuple[list, dict, list]] = []

    def translate_batch(self, source, target_prefix=None, **options):
        results = self.translator.translate_batch(source, target_prefix, **options)
        self.calls.append((source, options, [r.hypotheses[0] for r in results]))
        return results

    def __getattr__(self, name: str) -> Any:
        return getattr(self.translator, name)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ct2-cache")


@pytest.mark.parametrize("name", ["marian", "bart"])
def test_greedy_float32_matches_transformers_token_for_token(sharp_models, cache, name):
    hf, fast = _pair(sharp_models[name], GREEDY, cache)
    expected, got = hf.generate_batch(SEGMENTS), fast.generate_batch(SEGMENTS)
    assert len({g.text for g in expected}) >= 10  # the input matters, so equality means something
    assert _agreement(expected, got) >= 0.95
    assert fast.count_tokens(SEGMENTS) == hf.count_tokens(SEGMENTS)
    assert fast.max_input_tokens == hf.max_input_tokens


@pytest.mark.parametrize("num_beams", [2, 4])
@pytest.mark.parametrize("name", ["marian", "bart"])
def test_beam_search_matches_transformers(sharp_models, cache, name, num_beams):
    # CTranslate2 renormalizes the log-probabilities after banning tokens (no_repeat_ngram_size, min_length),
    # which transformers does with renormalize_logits: true (Marian's own setting; BART's is false)
    generation = {"num_beams": num_beams, "max_new_tokens": 10}
    hf, fast = _pair(sharp_models[name], generation, cache, hf_extra={"renormalize_logits": True})
    assert fast.plan.options["beam_size"] == num_beams
    assert _agreement(hf.generate_batch(SEGMENTS), fast.generate_batch(SEGMENTS)) >= 0.95


def test_beam_outputs_differ_from_greedy(sharp_models, cache):
    greedy = _load(sharp_models["bart"], "ctranslate2", GREEDY, cache).generate_batch(SEGMENTS)
    beam = _load(sharp_models["bart"], "ctranslate2", {**GREEDY, "num_beams": 4}, cache).generate_batch(SEGMENTS)
    assert [g.text for g in greedy] != [b.text for b in beam]


def test_length_limits_reach_ctranslate2(sharp_models, cache):
    model = _load(sharp_models["bart"], "ctranslate2", {"num_beams": 2, "max_new_tokens": 3}, cache)
    out = model.generate_batch(SEGMENTS)
    assert all(g.tokens <= 3 for g in out)
    assert all(len(model.tokenizer(g.text, add_special_tokens=False)["input_ids"]) <= 3 for g in out)
    # pinned length (min = max): every output has exactly that many tokens, as with transformers
    pinned = {"num_beams": 2, "max_new_tokens": 7, "min_new_tokens": 7}
    hf, fast = _pair(sharp_models["marian"], pinned, cache)
    assert [g.tokens for g in fast.generate_batch(SEGMENTS)] == [7] * len(SEGMENTS)
    assert [g.tokens for g in hf.generate_batch(SEGMENTS)] == [7] * len(SEGMENTS)


def test_no_repeat_ngram_size_reaches_ctranslate2(sharp_models, cache):
    plain = _load(sharp_models["marian"], "ctranslate2", {**GREEDY, "max_new_tokens": 16}, cache)
    banned = _load(sharp_models["marian"], "ctranslate2",
                   {**GREEDY, "max_new_tokens": 16, "no_repeat_ngram_size": 1}, cache)
    for model in (plain, banned):
        model.translator = _Recorder(model.translator)
        model.generate_batch(SEGMENTS)
    repeats = [len(h) - len(set(h)) for _, _, hyps in plain.translator.calls for h in hyps]
    assert sum(repeats) > 0  # without the setting the tiny model repeats itself
    for _, options, hypotheses in banned.translator.calls:
        assert options["no_repeat_ngram_size"] == 1
        assert all(len(h) == len(set(h)) for h in hypotheses)


def test_unfinished_outputs_are_flagged(sharp_models, cache):
    model = _load(sharp_models["marian"], "ctranslate2", {"max_new_tokens": 4, "min_new_tokens": 4}, cache)
    assert all(not g.finished and g.tokens == 4 for g in model.generate_batch(SEGMENTS[:5]))


def test_marian_pad_and_bart_forced_bos_are_mapped(sharp_models, cache):
    marian = _load(sharp_models["marian"], "ctranslate2", GREEDY, cache)
    bart = _load(sharp_models["bart"], "ctranslate2", GREEDY, cache)
    assert marian.plan.prefix == () and bart.plan.prefix == ("<s>",)
    assert marian.plan.options["max_input_length"] == 0 and bart.plan.options["max_input_length"] == 0
    # Marian's bad word is <pad>: the converted vocabulary has no <pad>, so it can never be generated
    assert marian.plan.options["suppress_sequences"] is None
    recorder = _Recorder(marian.translator)
    marian.translator = recorder
    marian.generate_batch(SEGMENTS)
    assert all("<pad>" not in h for _, _, hyps in recorder.calls for h in hyps)


def test_sampling_is_seeded_per_batch(sharp_models, cache):
    """Every sampled batch starts from the run's seed, as with transformers (torch.manual_seed per batch): a batch
    samples the same whatever ran before it, so a resumed run samples what the uninterrupted one did."""
    generation = {"do_sample": True, "top_k": 0, "temperature": 2.0, "max_new_tokens": 10}
    first, second = (_load(sharp_models["bart"], "ctranslate2", generation, cache) for _ in range(2))
    assert first.plan.options["sampling_topk"] == 0 and first.plan.options["sampling_temperature"] == 2.0
    samples = first.generate_batch(SEGMENTS[:6])
    first.generate_batch(SEGMENTS[6:9])  # the batches before a resume point
    assert first.generate_batch(SEGMENTS[:6]) == samples
    assert second.generate_batch(SEGMENTS[:6]) == samples  # a fresh load (a resume): the same samples
    reused = first.reconfigured(first.spec, seed=first.seed)  # a notebook's with_config shares the translator
    assert reused is not None and reused.generate_batch(SEGMENTS[:6]) == samples
    config = load_config({"summarization": {"model": str(sharp_models["bart"]), "backend": "ctranslate2",
                                            "compute_type": "float32", "generation": generation},
                          "runtime": {"device": "cpu", "cache_dir": str(cache), "seed": 1}})
    other_seed = load_model(config.summarization, config.runtime, "summarization")
    assert other_seed.generate_batch(SEGMENTS[:6]) != samples  # it does sample: the seed decides


@pytest.mark.parametrize("setting", [{"num_beams": 4, "num_beam_groups": 2, "diversity_penalty": 0.5},
                                     {"encoder_no_repeat_ngram_size": 2},
                                     {"decoder_start_token_id": 5}])
def test_unsupported_generation_settings_are_refused(sharp_models, cache, setting):
    key = next(k for k in setting if k != "num_beams")
    with pytest.raises(ConfigError, match=key):
        _load(sharp_models["bart"], "ctranslate2", setting, cache)


def test_conversion_is_cached_and_reused(sharp_models, tmp_path, monkeypatch):
    calls = []
    real = ct2_cache.convert_checkpoint
    monkeypatch.setattr(ct2_cache, "convert_checkpoint", lambda *args: (calls.append(args), real(*args))[1])
    first = _load(sharp_models["marian"], "ctranslate2", GREEDY, tmp_path)
    stamp = (first.folder / "model.bin").stat().st_mtime_ns
    second = _load(sharp_models["marian"], "ctranslate2", GREEDY, tmp_path)
    assert len(calls) == 1
    assert second.folder == first.folder and (second.folder / "model.bin").stat().st_mtime_ns == stamp
    assert first.folder.parent == tmp_path / "ct2"
    # int8 compute types share an int8 copy; float32 has its own
    int8 = _load(sharp_models["marian"], "ctranslate2", GREEDY, tmp_path, compute_type="int8")
    auto = _load(sharp_models["marian"], "ctranslate2", GREEDY, tmp_path, compute_type="auto")
    assert len(calls) == 2 and int8.folder == auto.folder != first.folder
    assert "-int8-" in int8.folder.name and "-float32-" in first.folder.name
    assert int8.describe()["compute_type"].startswith("int8")


def test_changed_weights_are_converted_again(sharp_models, tmp_path):
    folder = tmp_path / "model" / "marian"
    shutil.copytree(sharp_models["marian"], folder)
    before = _load(folder, "ctranslate2", GREEDY, tmp_path / "cache").folder
    (folder / "model.safetensors").write_bytes((folder / "model.safetensors").read_bytes())  # new mtime
    assert _load(folder, "ctranslate2", GREEDY, tmp_path / "cache").folder != before


def test_concurrent_conversions_both_end_with_a_valid_model(sharp_models, tmp_path, monkeypatch):
    both_converting = threading.Barrier(2, timeout=60)
    real = ct2_cache.convert_checkpoint

    def convert(*args):
        real(*args)
        both_converting.wait()  # neither renames before both have converted: a real race

    monkeypatch.setattr(ct2_cache, "convert_checkpoint", convert)
    results: list[Any] = [None, None]

    def run(i: int) -> None:
        try:
            results[i] = _load(sharp_models["bart"], "ctranslate2", GREEDY, tmp_path)
        except BaseException as exc:  # surfaced below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(not isinstance(r, BaseException) for r in results), results
    assert results[0].folder == results[1].folder
    assert [p.name for p in (tmp_path / "ct2").iterdir()] == [results[0].folder.name]  # no temp folders left
    assert results[0].generate_batch(SEGMENTS[:3]) == results[1].generate_batch(SEGMENTS[:3])


def test_an_already_converted_folder_is_used_as_is(sharp_models, cache, tmp_path):
    converted = _load(sharp_models["bart"], "ctranslate2", GREEDY, cache)
    copy = tmp_path / "bart-ct2"
    shutil.copytree(converted.folder, copy)
    direct = _load(copy, "ctranslate2", GREEDY, tmp_path / "unused", role="summarization")
    # nothing converted into the cache (which holds at most the weight digests of the run fingerprint)
    assert direct.folder == copy and not (tmp_path / "unused" / "ct2").exists()
    assert direct.generate_batch(SEGMENTS[:5]) == converted.generate_batch(SEGMENTS[:5])


def test_missing_extra_names_the_install_command(sharp_models, cache, monkeypatch):
    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # import ctranslate2 now raises ImportError
    with pytest.raises(ConfigError, match=r"pip install '\.\[fast\]'"):
        _load(sharp_models["marian"], "ctranslate2", GREEDY, cache)


def test_compute_types(sharp_models, cache):
    auto = _load(sharp_models["marian"], "ctranslate2", GREEDY, cache, compute_type="auto")
    facts = auto.describe()
    assert facts["compute_type_requested"] == "auto" and facts["compute_type"].startswith("int8")
    assert facts["backend"] == "ctranslate2" and facts["decoding"]["beam_size"] == 1
    assert Path(facts["converted_model"]).is_dir()
    with pytest.raises(ConfigError, match="float16"):
        _load(sharp_models["marian"], "ctranslate2", GREEDY, cache, compute_type="float16")


def test_pipeline_runs_on_ctranslate2_with_a_token_budget(tiny_models, tmp_path):
    config = tiny_config(tiny_models, tmp_path, short=True,
                         translation={"backend": "ctranslate2"}, summarization={"backend": "ctranslate2"},
                         runtime={"max_batch_tokens": 256, "cache_dir": str(tmp_path / "cache")})
    pipe = Pipeline(config)
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))[:3]]
    results = pipe(texts)
    assert [r.status for r in results] == ["ok"] * 3
    assert pipe.describe()["translation"]["backend"] == "ctranslate2"


@pytest.mark.parametrize("name", ["marian", "bart"])
def test_the_tokenizer_is_the_one_autotokenizer_gives(sharp_models, cache, name):
    from transformers import AutoTokenizer

    model = _load(sharp_models[name], "ctranslate2", GREEDY, cache)
    auto = AutoTokenizer.from_pretrained(model.folder / "hf")
    assert type(model.tokenizer) is type(auto)
    assert model.tokenizer(SEGMENTS)["input_ids"] == auto(SEGMENTS)["input_ids"]


def test_a_ctranslate2_run_does_not_import_torch(tiny_models, tmp_path):
    import subprocess

    config = tiny_config(tiny_models, tmp_path, short=True,
                         translation={"backend": "ctranslate2"}, summarization={"backend": "ctranslate2"},
                         runtime={"cache_dir": str(tmp_path / "cache")})
    Pipeline(config)  # converts both models (conversion itself needs torch)
    baseline = subprocess.run([sys.executable, "-c", "import sys, transformers; transformers.MarianTokenizer; "
                               "transformers.GenerationConfig; print('torch' in sys.modules)"],
                              capture_output=True, text=True, check=True)
    if baseline.stdout.strip() == "True":  # e.g. 5.13: GenerationConfig's module imports torch
        pytest.skip("this transformers imports torch for its tokenizers or GenerationConfig")
    script = ("import json, sys; from pipeline.core import Pipeline; "
              f"pipe = Pipeline(json.loads({json.dumps(json.dumps(config.to_dict()))})); "
              "result = pipe('Die Firma wächst. Der Umsatz steigt.'); "
              "print(json.dumps([result.status, 'torch' in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).parents[1], capture_output=True,
                          text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["ok", False]


@pytest.mark.parametrize(("threads", "workers", "expected"), [
    (1, None, (1, 1)), (2, None, (2, 1)), (4, None, (2, 2)), (8, None, (2, 4)), (16, None, (4, 4)),
    (8, 1, (1, 8)), (8, 4, (4, 2)),
])
def test_threads_are_shared_between_workers_on_cpu(threads, workers, expected):
    assert ct2.thread_layout(threads, workers, device="cpu", sampling=False) == expected


def test_sampling_and_cuda_keep_one_worker(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "6")
    assert ct2.thread_layout(None, None, device="cpu", sampling=True) == (1, 6)
    assert ct2.thread_layout(None, 3, device="cpu", sampling=False) == (3, 2)
    assert ct2.thread_layout(None, None, device="cuda", sampling=False) == (1, 0)


def test_two_workers_give_the_outputs_of_one(sharp_models, cache):
    beam = {"num_beams": 4, "max_new_tokens": 10}
    outputs = {}
    for workers in (1, 2):
        config = load_config({"summarization": {"model": str(sharp_models["bart"]), "backend": "ctranslate2",
                                                "compute_type": "float32", "generation": beam},
                              "runtime": {"device": "cpu", "cache_dir": str(cache), "threads": 2,
                                          "workers": workers}})
        model = load_model(config.summarization, config.runtime, "summarization")
        assert (model.inter_threads, model.intra_threads) == (workers, 2 // workers)
        outputs[workers] = model.generate_batch(SEGMENTS)
    assert len({g.text for g in outputs[1]}) > 1
    assert outputs[1] == outputs[2]


def test_freed_memory_is_handed_back_after_each_batch(sharp_models, cache, monkeypatch):
    trims: list[int] = []
    monkeypatch.setattr(ct2, "release_freed_memory", lambda: trims.append(1))
    model = _load(sharp_models["marian"], "ctranslate2", GREEDY, cache)
    trims.clear()  # the load-time probe's own batch
    model.generate_batch(SEGMENTS[:2])
    model.generate_batch(SEGMENTS[2:])
    assert len(trims) == 2


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc")
def test_malloc_trim_is_found_on_linux():
    assert ct2._malloc_trim() is not None
    ct2.release_freed_memory()


# -- the other model families ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(FAMILY_ROLES))
def test_each_family_greedy_float32_matches_transformers(sharp_families, cache, name):
    hf, fast = _pair(sharp_families[name], FAMILY_GREEDY, cache)
    texts, languages = (MIXED, MIXED_LANGUAGES) if name in MULTILINGUAL else (SEGMENTS, None)
    fast.translator = recorder = _Recorder(fast.translator)
    expected, got = hf.generate_batch(texts, languages), fast.generate_batch(texts, languages)
    assert len({g.text for g in expected}) >= len(texts) // 2  # the input matters, so equality means something
    assert _agreement(expected, got) >= 0.95
    assert fast.count_tokens(texts) == hf.count_tokens(texts)  # the T5 prefix and the language codes counted
    assert fast.max_input_tokens == hf.max_input_tokens
    assert fast.conventions.describe() == hf.conventions.describe()
    ((source, _, hypotheses),) = recorder.calls
    if name in MULTILINGUAL:
        # the source code as the tokenizer puts it (first token), the target code forced first
        codes = [fast.source_code(language) for language in languages]
        assert [row[0] for row in source] == codes and len(set(codes)) == 3
        target = fast.conventions.target_code
        assert fast.plan.prefix == (target,) and all(h[0] == target for h in hypotheses)
        assert not any("__" in g.text or "_Latn" in g.text or "_XX" in g.text for g in got)  # codes are no text
    else:
        assert fast.plan.prefix == ()
    if name == "t5":
        assert fast.conventions.prefix == "summarize: "
        assert all(fast.tokenizer.convert_tokens_to_string(row).startswith("summarize:") for row in source)


def test_mbart25_style_checkpoint_starts_the_decoder_as_transformers_does(sharp_families, cache, tmp_path):
    # mBART-25-style config (tokenizer_class MBartTokenizer): CTranslate2 stores no decoder start token and
    # starts from the first prefix token, so the checkpoint's </s> goes before the target code
    folder = tmp_path / "mbart50"
    shutil.copytree(sharp_families["mbart50"], folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    (folder / "config.json").write_text(json.dumps({**config, "tokenizer_class": "MBartTokenizer"}),
                                        encoding="utf-8")
    hf, fast = _pair(folder, FAMILY_GREEDY, cache)
    assert json.loads((fast.folder / "config.json").read_text(encoding="utf-8"))["decoder_start_token"] is None
    assert fast.plan.prefix == ("</s>", "en_XX")
    assert _agreement(hf.generate_batch(MIXED, MIXED_LANGUAGES), fast.generate_batch(MIXED, MIXED_LANGUAGES)) >= 0.95


def test_m2m100_language_codes_are_in_the_converted_vocabulary(family_models, cache):
    model = _load(family_models["m2m100"], "ctranslate2", GREEDY, cache)
    vocabulary = json.loads((model.folder / "shared_vocabulary.json").read_text(encoding="utf-8"))
    for code in ("__de__", "__fr__", "__en__"):
        assert vocabulary.index(code) == model.tokenizer.convert_tokens_to_ids(code)


def test_led_is_refused_naming_the_family_and_the_way_out(family_models, tmp_path):
    with pytest.raises(ConfigError, match=r"LED model \(led\).*summarization\.backend: transformers"):
        _load(family_models["led"], "ctranslate2", GREEDY, tmp_path, role="summarization")
    assert not any((tmp_path / "ct2").iterdir())  # nothing converted, no temporary folder left


def test_an_unknown_architecture_stops_before_conversion(tiny_models, tmp_path):
    from transformers import GPT2Config, GPT2LMHeadModel

    from pipeline.models.generation import ModelLoadError

    folder = tmp_path / "gpt2"
    shutil.copytree(tiny_models["bart"], folder)  # its tokenizer; the config decides
    for name in ("config.json", "generation_config.json", "model.safetensors"):
        (folder / name).unlink()
    GPT2LMHeadModel(GPT2Config(vocab_size=600, n_embd=16, n_layer=1, n_head=2)).save_pretrained(folder)
    with pytest.raises(ModelLoadError, match="'gpt2'.*Supported summarization families: .*BART"):
        _load(folder, "ctranslate2", GREEDY, tmp_path / "cache", role="summarization")
    assert not any((tmp_path / "cache" / "ct2").iterdir())


@pytest.mark.parametrize("name", list(FAMILY_ROLES))
def test_pipeline_on_each_family_with_ctranslate2(tiny_models, family_models, cache, tmp_path, name):
    """Short-limit models (64 tokens) on the ctranslate2 backend: segments rejoin to the document, no segment
    or summarizer input over the limit, map-reduce, a French document translated from French, reruns alike."""
    models = {"marian": tiny_models["marian_short"], "bart": tiny_models["bart_short"]}
    models["marian" if FAMILY_ROLES[name] == "translation" else "bart"] = family_models[name + "_short"]
    config = tiny_config(models, tmp_path, translation={"backend": "ctranslate2"},
                         summarization={"backend": "ctranslate2"}, runtime={"cache_dir": str(cache)})
    pipe = Pipeline(config)
    translator, summarizer = pipe.translator, pipe.summarizer
    seen: dict[str, list[str]] = {"translation": [], "summarization": []}
    for role, model in (("translation", translator), ("summarization", summarizer)):
        real = model.generate_batch
        model.generate_batch = lambda texts, _real=real, _seen=seen[role], **kw: (_seen.extend(texts),
                                                                                  _real(texts, **kw))[1]
    documents = [Document("de", SEED_TEXTS[0])]
    if name in MULTILINGUAL:
        documents.append(Document("fr", FRENCH_DOC))
    results = pipe.process(documents)
    for document, result in zip(documents, results, strict=True):
        assert result.status == "ok", result.error
        assert squash("".join(s.source for s in result.segments)) == squash(document.text)
    # the German document's English is longer than the summarizer's window: map-reduce
    assert summarizer.count_tokens([results[0].translation])[0] > summarizer.max_input_tokens
    assert results[0].summarization.chunks > 1
    if name in MULTILINGUAL:
        assert results[1].translated_from == translator.source_code("fr") != translator.source_code("de")
    assert max(translator.count_tokens(seen["translation"])) <= translator.max_input_tokens
    assert max(summarizer.count_tokens(seen["summarization"])) <= summarizer.max_input_tokens
    described = pipe.describe()[FAMILY_ROLES[name]]
    assert described["backend"] == "ctranslate2" and described["family"]["name"] == name.removesuffix("50")
    rerun = Pipeline(config).process(documents)
    assert [json.dumps(r.to_record()) for r in rerun] == [json.dumps(r.to_record()) for r in results]
