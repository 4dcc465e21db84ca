"""Benchmark: the plain transformers loop against the pipeline (transformers and CTranslate2 backends).

Models: random-weight stand-ins with the real architectures (opus-mt-de-en: 6+6 layers, d_model 512,
vocabulary 58,101; distilbart-cnn-12-6: 12+6 layers, d_model 1024, vocabulary 50,265), built locally with
``scripts.make_tiny_models`` into ``<cache>/models`` and reused afterwards; nothing is downloaded. Their
vocabularies are mostly filler entries (``madeupword00042``) that a random model would pick nearly every
time, and one such "word" costs BART about six tokens; so the stand-ins get a logits bias of -100 against
the filler entries and their random output is made of real word pieces. The Marian stand-in is further held
to pieces that start a word and are one token for the BART stand-in: with them, as with the real opus-mt
and BART tokenizers on English, a translation costs the summarizer about one token per generated token
(unbiased, the stand-ins' random pieces cost it 1.9, which made the summarizer read twice what real text
gives it). The work per decoding step (the full vocabulary projection) is unchanged.

Other families (``--translator nllb-600m|m2m100-418m|mbart50``, ``--summarizer bart-large-cnn|pegasus|t5-base|
led-base``) get stand-ins in their real shapes from ``scripts.tiny_families`` (``REAL_SHAPES``). Their trained
tokenizers are small and padded with filler entries to the real vocabulary size (CTranslate2's converter wants one
entry per embedding row), so most embedding rows belong to no real token: those rows (and filler entries) get
a logits bias of -100 where the model has ``final_logits_bias``, else zero output rows (a logit of 0, below the
best real pieces of a random model), so that outputs are made of real pieces. Only opus-mt + a BART summarizer
keep the one-summarizer-token-per-generated-token property described above; the others' random pieces may cost
the summarizer more or fewer tokens. Compare, for example, ``--summarizer distilbart``, ``bart-large-cnn`` and
``pegasus`` with the same ``--contenders hf``.

Contenders, each in its own subprocess (own peak RSS, own threads) on the same German documents:

* ``loop`` (a): what a user writes with transformers: one document at a time, ``split_sentences`` and one
  ``model.generate`` per sentence, then one ``generate`` per summarizer chunk. To do the same work as the
  pipeline it summarizes the same chunks (``chunk_texts`` to the model's 1,024 tokens, map-reduce until
  one chunk is left) rather than truncating the translation. No thread or dtype settings: library defaults.
* ``hf`` (b): the pipeline, transformers backend (length-sorted batches, ``runtime.*`` settings).
* ``hf-stock`` (b's): as (b) with the generate speed-ups switched off (``DE_EN_STOCK_GENERATE=1``): stock
  transformers ``generate``, what (b) falls back to where ``pipeline.models.hf.speedups`` does not trust the version.
* ``hf-bf16`` (b'): as (b) with ``runtime.dtype: bfloat16`` (fast on CPUs with AVX512-BF16 or AMX).
* ``hf-fp16`` (b'): as (b) with ``runtime.dtype: float16`` (for GPUs; slow on CPU).
* ``hf-int8`` (b''): as (b) with ``runtime.quantize: true`` (dynamic int8 linear layers, CPU only).
* ``ct2`` (c): the pipeline, CTranslate2 backend, ``compute_type: auto`` (int8 on CPU, int8_float16 on CUDA).
* ``ct2-fp16`` (c'f): as (c) with ``compute_type: float16`` (CUDA only).
* ``default`` (d): the pipeline with no ``backend`` or ``compute_type`` set: what a user gets (``backend: auto``
  resolves to CTranslate2 where it is installed and converts both families, else to transformers).
* ``hf-qwen0.5b`` / ``ct2-qwen0.5b`` (e), ``hf-qwen1.5b`` / ``ct2-qwen1.5b`` (f): as (b) / (c) with a decoder-only
  instruct summarizer in the shape of Qwen2.5-0.5B-Instruct (hidden 896, 24 layers, 14 heads, 2 KV heads, MLP
  4,864, 151,936 tied vocabulary rows) or Qwen2.5-1.5B-Instruct (1,536, 28, 12, 2, 8,960), built by
  ``scripts.tiny_instruct`` (real chat template, tiny tokenizer: the rows without a token are zeroed, as for
  the other families), prompted with the default summarization prompt; the translator stays opus-mt.

Every contender decodes with the checkpoints' own settings (beam 4, ...) and the same pinned lengths
(``min_new_tokens = max_new_tokens``), so all generate the same number of tokens. Throughput excludes
model loading and follows one warm-up document; peak RSS covers the whole subprocess. CTranslate2 conversion
happens in a preparation subprocess, outside any measurement.

**Load time** (column ``load s``) is its own measurement: for (a), a bare ``from_pretrained`` of both models
with the torch and transformers imports; for the pipeline contenders, ``Pipeline(...)`` (imports, loading, the
load-time check) with the same pinned lengths, which the check does not use (it generates a couple of tokens,
greedy). ``--load-only`` measures just that, on the models' own generation settings (beam 4, distilbart's
minimum length), against the goal of issue 20: at most 1.5x (a)'s load plus 2 s.

Usage::

    python scripts/benchmark.py --quick                      # about a minute on 2 CPU cores
    python scripts/benchmark.py --out bench.json             # all seeds/ documents
    python scripts/benchmark.py --contenders loop,hf,hf-int8,ct2 --threads 2 --batch-size 32
    python scripts/benchmark.py --quick --contenders hf --summarizer pegasus --translator nllb-600m
    python scripts/benchmark.py --quick --contenders hf,ct2,hf-qwen0.5b,ct2-qwen0.5b   # instruct beside distilbart
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CONTENDERS = {
    "loop": "(a) plain transformers loop",
    "hf": "(b) pipeline, transformers",
    "hf-stock": "(b's) pipeline, transformers, stock generate",
    "hf-bf16": "(b') pipeline, transformers, bfloat16",
    "hf-fp16": "(b'f) pipeline, transformers, float16",
    "hf-int8": "(b'') pipeline, transformers, quantize",
    "ct2": "(c) pipeline, CTranslate2",
    "ct2-fp16": "(c'f) pipeline, CTranslate2, float16",
    "default": "(d) pipeline, default config (auto)",
    "hf-qwen0.5b": "(e) transformers, Qwen2.5-0.5B summarizer",
    "ct2-qwen0.5b": "(e') CTranslate2, Qwen2.5-0.5B summarizer",
    "hf-qwen1.5b": "(f) transformers, Qwen2.5-1.5B summarizer",
    "ct2-qwen1.5b": "(f') CTranslate2, Qwen2.5-1.5B summarizer",
}
# instruct contenders -> the tiny_instruct shape of their summarizer
INSTRUCT = {"hf-qwen0.5b": "qwen2.5-0.5b", "ct2-qwen0.5b": "qwen2.5-0.5b", "hf-qwen1.5b": "qwen2.5-1.5b",
            "ct2-qwen1.5b": "qwen2.5-1.5b"}
DEFAULT_CONTENDERS = ("loop", "hf", "ct2", "default")
FILLER_BIAS = -100.0
# what the Marian stand-in may generate (recorded in its marker: a change rebuilds it)
OUTPUT = "word-initial pieces that are one BART token"
WARM_UP = "Die Aktie der Deutschen Bank stieg am Montag um 3 Prozent. Analysten zeigten sich überrascht."


@dataclass(frozen=True)
class Job:
    """What every contender runs: the documents, the pinned lengths and the runtime settings."""

    # (id, German text) of every document
    documents: list[tuple[str, str]]
    # generated tokens per translated segment (min = max)
    translation_tokens: int
    # generated tokens per summary (min = max)
    summary_tokens: int
    # runtime.device for every contender
    device: str
    # runtime.threads for the pipeline contenders; None = library default
    threads: int | None
    # runtime.batch_size of the pipeline contenders
    batch_size: int
    # runtime.max_batch_tokens of the pipeline contenders
    max_batch_tokens: int | None
    # folders of the stand-in models (translator, summarizer)
    marian: str
    bart: str
    # runtime.cache_dir (converted CTranslate2 models)
    cache_dir: str
    # timed passes over the documents; the fastest counts (the others absorb noise from other processes)
    repeat: int = 1
    # measure loading only, with the models' own generation settings (no documents)
    load_only: bool = False
    # instruct summarizer stand-ins: tiny_instruct shape name -> folder
    instruct: dict[str, str] = field(default_factory=dict)


@dataclass
class Measurement:
    """One contender's result."""

    contender: str
    documents: int
    seconds: float
    generated_tokens: int
    peak_rss_mib: float
    load_seconds: float
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds if self.seconds else float("nan")

    @property
    def tokens_per_s(self) -> float:
        return self.generated_tokens / self.seconds if self.seconds else float("nan")


# -- models ---------------------------------------------------------------------------------------------


# --translator / --summarizer choices: (family builder name, shape); the first of each is the default
TRANSLATORS = ("opus-mt", "nllb-600m", "m2m100-418m", "mbart50")
SUMMARIZERS = ("distilbart", "bart-large-cnn", "pegasus", "t5-base", "led-base")
_FAMILY = {"nllb-600m": "nllb", "m2m100-418m": "m2m100", "mbart50": "mbart50", "pegasus": "pegasus",
           "t5-base": "t5", "led-base": "led"}


def prepare_models(cache: Path, translator: str = "opus-mt", summarizer: str = "distilbart") -> tuple[Path, Path]:
    """Build (once) the real-shape random stand-ins under ``cache/models``; return (translator, summarizer)."""
    if (translator, summarizer) == ("opus-mt", "distilbart"):
        return _prepare_marian_bart(cache)
    return _prepare_family(cache, translator), _prepare_family(cache, summarizer)


def _prepare_family(cache: Path, name: str) -> Path:
    """A stand-in of ``name`` in its real shape; rows no token maps to are kept out of the outputs."""
    import dataclasses

    from scripts.make_tiny_models import REAL_BART, build_bart
    from scripts.tiny_families import FAMILY_BUILDERS, REAL_SHAPES

    if name in ("opus-mt", "distilbart"):  # the Marian stand-in alone (its BART-token restriction needs BART)
        return _prepare_marian_bart(cache)[0 if name == "opus-mt" else 1]
    build: Any
    if name == "bart-large-cnn":  # distilbart-cnn's teacher: 12 decoder layers, the same settings
        shape: Any = dataclasses.replace(REAL_BART, decoder_layers=12)
        build = build_bart
    else:
        shape, build = REAL_SHAPES[_FAMILY[name]], FAMILY_BUILDERS[_FAMILY[name]]
    folder = cache / "models" / name
    stamp = {"shape": asdict(shape), "filler_bias": FILLER_BIAS, "output": "rows with a non-special token",
             "vocabulary": "real size"}
    marker = folder / "benchmark-ready.json"
    if not (marker.is_file() and json.loads(marker.read_text()) == stamp):
        print(f"building {name} stand-in in {folder} ...", flush=True)
        build(folder, shape, seed=0)
        _keep_to_tokens(folder)
        marker.write_text(json.dumps(stamp))
    return folder


def prepare_instruct(cache: Path, shape_name: str) -> Path:
    """A Qwen2.5-Instruct-shaped stand-in (``shape_name`` of ``scripts.tiny_instruct.REAL_SHAPES``), built once."""
    from scripts.tiny_instruct import REAL_SHAPES, build_instruct

    shape = REAL_SHAPES[shape_name]
    folder = cache / "models" / shape_name
    stamp = {"shape": asdict(shape), "output": "rows with a non-special token"}
    marker = folder / "benchmark-ready.json"
    if not (marker.is_file() and json.loads(marker.read_text()) == stamp):
        print(f"building {shape_name} stand-in in {folder} ...", flush=True)
        build_instruct("qwen2", folder, shape=shape, seed=0)
        _keep_to_tokens(folder)
        marker.write_text(json.dumps(stamp))
    return folder


def _keep_to_tokens(folder: Path) -> None:
    """Bias (or zero) the output rows of ids the stand-in's tokenizer has no text for."""
    from safetensors.torch import load_file, save_file
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    # special tokens (language codes, Pegasus' <unk_N>, ...) decode to nothing: a random model that repeats one
    # would write an empty text; forced tokens (EOS, the target code) are forced whatever their score
    special = set(tokenizer.all_special_ids) | set(getattr(tokenizer, "lang_token_to_id", {}).values())
    special |= {i for token, i in tokenizer.get_vocab().items() if token in tokenizer.all_special_tokens}
    real = {i for token, i in tokenizer.get_vocab().items() if not token.startswith("madeupword")} - special
    weights = load_file(folder / "model.safetensors")
    rows = next(v.shape[0] for k, v in weights.items() if k.endswith(("shared.weight", "embed_tokens.weight")))
    banned = [i for i in range(rows) if i not in real]
    if "final_logits_bias" in weights:
        weights["final_logits_bias"][..., banned] = FILLER_BIAS
    else:  # output rows are the (tied) embeddings or lm_head: a zero row scores 0
        for key, value in weights.items():
            if key.endswith(("shared.weight", "embed_tokens.weight", "lm_head.weight")) and value.shape[0] == rows:
                value[banned] = 0.0
    save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})


def _prepare_marian_bart(cache: Path) -> tuple[Path, Path]:
    from scripts.make_tiny_models import REAL_BART, REAL_MARIAN, build_bart, build_marian

    bart = cache / "models" / "bart"
    marian = cache / "models" / "marian"
    bart_stamp = {"shape": asdict(REAL_BART), "filler_bias": FILLER_BIAS}
    # Marian's bias depends on BART's tokenizer: a rebuilt BART stand-in rebuilds the Marian one too
    marian_stamp = {"shape": asdict(REAL_MARIAN), "filler_bias": FILLER_BIAS, "output": OUTPUT, "bart": bart_stamp}
    for name, folder, build, shape, stamp in (("bart", bart, build_bart, REAL_BART, bart_stamp),
                                              ("marian", marian, build_marian, REAL_MARIAN, marian_stamp)):
        marker = folder / "benchmark-ready.json"
        if not (marker.is_file() and json.loads(marker.read_text()) == stamp):
            print(f"building {name} stand-in in {folder} ...", flush=True)
            build(folder, shape, seed=0)
            banned = _filler(folder) if name == "bart" else _not_single_summarizer_words(folder, bart)
            _bias(folder, banned)
            marker.write_text(json.dumps(stamp))
    return marian, bart


def _filler(folder: Path) -> list[int]:
    vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
    return [i for token, i in vocab.items() if token.startswith("madeupword")]


def _not_single_summarizer_words(marian: Path, bart: Path) -> list[int]:
    """Marian's ids other than its special tokens and the word-initial pieces that BART reads as one token."""
    from transformers import AutoTokenizer

    summarizer = AutoTokenizer.from_pretrained(bart)
    vocab = json.loads((marian / "vocab.json").read_text(encoding="utf-8"))
    special = {"</s>", "<unk>", "<pad>"}

    def single_word(token: str) -> bool:
        return (token.startswith("▁") and len(token) > 1
                and len(summarizer(" " + token[1:], add_special_tokens=False)["input_ids"]) == 1)

    banned = [i for token, i in vocab.items() if token not in special and not single_word(token)]
    if len(vocab) - len(banned) < len(special) + 20:
        raise RuntimeError("the Marian stand-in has too few pieces that are one BART token; rebuild both")
    return banned


def _bias(folder: Path, banned: list[int]) -> None:
    from safetensors.torch import load_file, save_file

    weights = load_file(folder / "model.safetensors")
    bias = weights["final_logits_bias"]
    bias[..., [i for i in banned if i < bias.shape[-1]]] = FILLER_BIAS
    save_file(weights, folder / "model.safetensors", metadata={"format": "pt"})


def load_documents(quick: bool) -> list[tuple[str, str]]:
    """The seeds/ documents; ``quick``: the first three, cut to their first eight sentences."""
    from pipeline.text.sentences import split_sentences

    docs = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    if quick:
        docs = [(name, " ".join(split_sentences(text)[:8])) for name, text in docs[:3]]
    return docs


# -- contenders (run in a subprocess) -------------------------------------------------------------------


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def run_loop(job: Job) -> Measurement:
    """(a): one sentence per generate call, then the pipeline's summarizer chunks one at a time."""
    started = time.perf_counter()  # the load time counts the imports, as the pipeline's does
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    from pipeline.models.conventions import family_of, read_conventions, tokenizer_source_value
    from pipeline.models.loading import input_limit
    from pipeline.text.segment import chunk_texts
    from pipeline.text.sentences import split_sentences

    tokenizers, models, prefixes, kwargs = {}, {}, {}, {}
    for role, folder in (("mt", job.marian), ("sum", job.bart)):
        tokenizers[role] = tok = AutoTokenizer.from_pretrained(folder)
        models[role] = model = AutoModelForSeq2SeqLM.from_pretrained(folder).to(job.device).eval()
        # the family's conventions, as a user would apply them by hand (codes, prefix, task settings)
        section = "translation" if role == "mt" else "summarization"
        conv = read_conventions(family_of(model.config, type(tok).__name__, role=section), model.config, tok,
                                model.generation_config, role=section, name=folder)
        if conv.multilingual:
            tok.src_lang = tokenizer_source_value(conv.family, conv.source_code(None))
        prefixes[role] = conv.prefix
        kwargs[role] = {**conv.generation_defaults, "min_length": 0} if role == "sum" else {}
        if conv.target_token_id is not None:
            kwargs[role]["forced_bos_token_id"] = conv.target_token_id
    load_seconds = time.perf_counter() - started
    if job.load_only:
        return Measurement("loop", 0, 0.0, 0, _peak_rss_mib(), load_seconds)
    budget = input_limit(tokenizers["sum"], models["sum"].config)
    lengths = {"mt": job.translation_tokens, "sum": job.summary_tokens}
    generated = 0

    spent = {"mt": 0.0, "sum": 0.0}

    def generate(role: str, text: str) -> str:
        nonlocal generated
        begin = time.perf_counter()
        tok, model = tokenizers[role], models[role]
        inputs = tok(prefixes[role] + text, return_tensors="pt").to(job.device)
        extra = dict(kwargs[role])
        if model.config.model_type == "led":  # global attention on the first token
            extra["global_attention_mask"] = torch.zeros_like(inputs["input_ids"])
            extra["global_attention_mask"][:, 0] = 1
        out = model.generate(**inputs, max_new_tokens=lengths[role], min_new_tokens=lengths[role], **extra)
        generated += out.shape[1] - 1
        spent[role] += time.perf_counter() - begin
        return tok.decode(out[0], skip_special_tokens=True).strip()

    def count(texts: Any) -> list[int]:
        return [len(ids) for ids in tokenizers["sum"]([prefixes["sum"] + t for t in texts])["input_ids"]]

    def summarize_document(text: str) -> str:
        units = [generate("mt", sentence) for sentence in split_sentences(text)]
        while True:
            chunks = chunk_texts(units, count=count, budget=budget)
            summaries = [generate("sum", " ".join(chunk)) for chunk in chunks]
            if len(summaries) == 1:
                return summaries[0]
            units = summaries

    summarize_document(WARM_UP)
    passes = []
    for _ in range(job.repeat):
        generated = 0
        spent.update(mt=0.0, sum=0.0)
        started, cpu = time.perf_counter(), time.process_time()
        for _, text in job.documents:
            summarize_document(text)
        passes.append((time.perf_counter() - started, generated, {"translation": spent["mt"],
                                                                  "summarization": spent["sum"],
                                                                  "cpu": time.process_time() - cpu}))
    seconds, tokens, split = min(passes, key=lambda p: p[0])
    details = {"torch_threads": torch.get_num_threads(), **_pass_details(passes, split)}
    return Measurement("loop", len(job.documents), seconds, tokens, _peak_rss_mib(), load_seconds, details)


def _pass_details(passes: list[tuple[float, int, dict[str, float]]], split: dict[str, float]) -> dict[str, Any]:
    return {"generate_seconds": {role: round(split[role], 2) for role in ("translation", "summarization")},
            "cpu_seconds": round(split["cpu"], 2), "pass_seconds": [round(p[0], 2) for p in passes]}


def pipeline_config(job: Job, contender: str) -> dict[str, Any]:
    """The pipeline config of a contender other than ``loop`` (``default``: no backend or compute type set)."""
    backend = "ctranslate2" if contender.startswith("ct2") else "transformers"
    engine = {} if contender == "default" else {
        "backend": backend, "compute_type": "float16" if contender == "ct2-fp16" else "auto"}
    t, s = job.translation_tokens, job.summary_tokens
    summarizer = job.instruct[INSTRUCT[contender]] if contender in INSTRUCT else job.bart
    pinned = not job.load_only  # load-only: the models' own generation settings
    return {
        "translation": {"model": job.marian, **engine,
                        "generation": {"max_new_tokens": t, "min_new_tokens": t} if pinned else {}},
        "summarization": {"model": summarizer, **engine,
                          "generation": {"max_new_tokens": s, "min_new_tokens": s, "min_length": 0} if pinned
                          else {}},
        "runtime": {"device": job.device, "threads": job.threads, "batch_size": job.batch_size,
                    "max_batch_tokens": job.max_batch_tokens, "quantize": contender == "hf-int8",
                    "dtype": {"hf-bf16": "bfloat16", "hf-fp16": "float16"}.get(contender, "auto"),
                    "progress": False, "group_size": max(len(job.documents), 1), "cache_dir": job.cache_dir},
    }


def run_pipeline(job: Job, contender: str) -> Measurement:
    """(b), (b'), (b'') or (c): all documents in one group through ``Pipeline.process``."""
    from pipeline.core import Pipeline
    from pipeline.models.hf.speedups import STOCK_ENV
    from pipeline.results import Document

    if contender == "hf-stock":
        os.environ[STOCK_ENV] = "1"
    started = time.perf_counter()
    pipe = Pipeline(pipeline_config(job, contender))
    load_seconds = time.perf_counter() - started
    if job.load_only:
        return Measurement(contender, 0, 0.0, 0, _peak_rss_mib(), load_seconds, _facts(pipe))
    generated = 0
    spent = {"translation": 0.0, "summarization": 0.0}
    for role, model in (("translation", pipe.translator), ("summarization", pipe.summarizer)):
        def counting(texts: Any, _real: Any = model.generate_batch, _role: str = role, **kwargs: Any) -> Any:
            nonlocal generated
            begin = time.perf_counter()
            out = _real(texts, **kwargs)  # multilingual translators also get languages=
            spent[_role] += time.perf_counter() - begin
            generated += sum(g.tokens for g in out)
            return out

        model.generate_batch = counting  # type: ignore[method-assign]
    pipe.process([Document("warm-up", WARM_UP)])
    docs = [Document(name, text) for name, text in job.documents]
    passes = []
    for _ in range(job.repeat):
        generated = 0
        spent.update(translation=0.0, summarization=0.0)
        started, cpu = time.perf_counter(), time.process_time()
        results = pipe.process(docs)
        passes.append((time.perf_counter() - started, generated, {**spent, "cpu": time.process_time() - cpu}))
        failed = [(r.id, r.error) for r in results if r.status != "ok"]
        if failed:
            raise RuntimeError(f"{contender}: documents failed: {failed}")
    seconds, tokens, split = min(passes, key=lambda p: p[0])
    details = _facts(pipe)
    details.update(_pass_details(passes, split))
    return Measurement(contender, len(docs), seconds, tokens, _peak_rss_mib(), load_seconds, details)


def _facts(pipe: Any) -> dict[str, Any]:
    """What each model ran on (backend, device, number format, generate path)."""
    facts = pipe.describe()
    return {role: {k: facts[role].get(k) for k in ("backend", "device", "dtype", "quantized_int8", "attention",
                                                   "threads", "compute_type", "inter_threads", "intra_threads",
                                                   "beam_search", "logits_bans")
                   if facts[role].get(k) is not None} for role in facts}


def prepare_ctranslate2(job: Job, contender: str) -> None:
    """Convert both stand-ins once for ``contender`` (outside the measured subprocess)."""
    from pipeline.config import load_config
    from pipeline.models.factory import load_model

    config = load_config(pipeline_config(job, contender))
    load_model(config.translation, config.runtime, "translation")
    load_model(config.summarization, config.runtime, "summarization")


def worker(name: str, job_file: Path, result_file: Path) -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)
    job = Job(**json.loads(job_file.read_text(encoding="utf-8")))
    if name.startswith("prepare-"):
        prepare_ctranslate2(job, name.removeprefix("prepare-"))
        return
    measurement = run_loop(job) if name == "loop" else run_pipeline(job, name)
    result_file.write_text(json.dumps(asdict(measurement)), encoding="utf-8")


# -- the parent -----------------------------------------------------------------------------------------


def _spawn(name: str, job_file: Path, workdir: Path) -> Measurement | None:
    result = workdir / f"{name}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--job", str(job_file),
               "--result", str(result)]
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "TRANSFORMERS_VERBOSITY": "error"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(f"{name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}", file=sys.stderr)
        return None
    if not result.is_file():
        return None
    data = json.loads(result.read_text(encoding="utf-8"))
    return Measurement(**data)


def table(measurements: list[Measurement]) -> str:
    """The results as a fixed-width table, with each contender's ratio to (a) and memory ratio to (b)."""
    base = next((m for m in measurements if m.contender == "loop"), None)
    ref = next((m for m in measurements if m.contender == "hf"), None)
    lines = [f"{'contender':40} {'docs/s':>8} {'tokens/s':>9} {'seconds':>8} {'cpu s':>7} {'load s':>7} "
             f"{'peak MiB':>9} {'x (a)':>6} {'mem/(b)':>8}"]
    for m in measurements:
        speed = f"{m.docs_per_s / base.docs_per_s:6.1f}" if base else "     -"
        mem = f"{m.peak_rss_mib / ref.peak_rss_mib:8.2f}" if ref else "       -"
        cpu = m.details.get("cpu_seconds", float("nan"))
        lines.append(f"{CONTENDERS[m.contender]:40} {m.docs_per_s:8.3f} {m.tokens_per_s:9.1f} {m.seconds:8.1f} "
                     f"{cpu:7.1f} {m.load_seconds:7.1f} {m.peak_rss_mib:9.0f} {speed} {mem}")
    return "\n".join(lines)


def goals(measurements: list[Measurement]) -> dict[str, Any]:
    by = {m.contender: m for m in measurements}
    out: dict[str, Any] = {}
    if "loop" in by and "hf" in by:
        out["(b) >= 3x (a)"] = round(by["hf"].docs_per_s / by["loop"].docs_per_s, 2)
    if "loop" in by and "ct2" in by:
        out["(c) >= 15x (a)"] = round(by["ct2"].docs_per_s / by["loop"].docs_per_s, 2)
    if "hf" in by and "ct2" in by:
        out["(c) peak memory <= 0.5 (b)"] = round(by["ct2"].peak_rss_mib / by["hf"].peak_rss_mib, 2)
    if "ct2" in by and "default" in by and by["default"].seconds and by["ct2"].seconds:
        out["(d) time / (c) time <= 1.2"] = round(by["default"].seconds / by["ct2"].seconds, 2)
    if "loop" in by:  # issue 20: building the pipeline costs at most 1.5x a bare load of both models + 2 s
        bare = by["loop"].load_seconds
        for name in ("hf", "ct2", "default"):
            if name in by:
                out[f"({name}) load s <= 1.5 x (a) load + 2 = {1.5 * bare + 2:.1f}"] = round(by[name].load_seconds, 1)
    if "hf" in by and "hf-stock" in by:
        out["(b) speed / (b's) speed, speed-ups on / stock generate"] = round(
            by["hf"].docs_per_s / by["hf-stock"].docs_per_s, 2)
    return out


def main(argv: list[str] | None = None) -> int:
    from pipeline.config import RuntimeConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 short documents and short outputs (about a minute)")
    parser.add_argument("--contenders", default=",".join(DEFAULT_CONTENDERS),
                        help=f"comma-separated, from {', '.join(CONTENDERS)} (default: %(default)s)")
    parser.add_argument("--device", default="cpu", help="runtime.device (default: cpu)")
    parser.add_argument("--threads", type=int, default=None, help="runtime.threads of the pipeline contenders")
    runtime = RuntimeConfig()
    parser.add_argument("--batch-size", type=int, default=runtime.batch_size,
                        help="runtime.batch_size (default: the pipeline's, %(default)s)")
    parser.add_argument("--max-batch-tokens", type=int, default=runtime.max_batch_tokens,
                        help="runtime.max_batch_tokens (default: the pipeline's, %(default)s)")
    parser.add_argument("--translation-tokens", type=int, default=None,
                        help="tokens per translated segment (default: 32, quick: 16)")
    parser.add_argument("--summary-tokens", type=int, default=None, help="tokens per summary (default: 64, quick: 24)")
    parser.add_argument("--translator", choices=TRANSLATORS, default=TRANSLATORS[0],
                        help="translator stand-in, real shape (default: %(default)s = opus-mt-de-en)")
    parser.add_argument("--summarizer", choices=SUMMARIZERS, default=SUMMARIZERS[0],
                        help="summarizer stand-in, real shape (default: %(default)s = distilbart-cnn-12-6)")
    parser.add_argument("--cache", default="~/.cache/de-en-summarize",
                        help="folder for the stand-in models and converted models (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="timed passes per contender, the fastest counts (default: 1, quick: 2)")
    parser.add_argument("--load-only", action="store_true",
                        help="measure loading only (with the models' own generation settings)")
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker, Path(args.job), Path(args.result))
        return 0

    names = [n.strip() for n in args.contenders.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONTENDERS]
    if unknown:
        parser.error(f"unknown contender(s) {', '.join(unknown)}; expected some of {', '.join(CONTENDERS)}")
    if "ct2-fp16" in names and not args.device.startswith("cuda"):
        parser.error("ct2-fp16 needs --device cuda: CTranslate2 computes float16 on CUDA only")
    cache = Path(args.cache).expanduser()
    marian, bart = prepare_models(cache, args.translator, args.summarizer)
    instruct = {INSTRUCT[n]: str(prepare_instruct(cache, INSTRUCT[n])) for n in names if n in INSTRUCT}
    job = Job(
        documents=load_documents(args.quick),
        translation_tokens=args.translation_tokens or (16 if args.quick else 32),
        summary_tokens=args.summary_tokens or (24 if args.quick else 64),
        device=args.device, threads=args.threads, batch_size=args.batch_size,
        max_batch_tokens=args.max_batch_tokens, marian=str(marian), bart=str(bart), cache_dir=str(cache),
        repeat=args.repeat or (2 if args.quick else 1), load_only=args.load_only, instruct=instruct,
    )
    measurements = []
    with tempfile.TemporaryDirectory(prefix="benchmark-") as tmp:
        workdir = Path(tmp)
        job_file = workdir / "job.json"
        job_file.write_text(json.dumps(asdict(job)), encoding="utf-8")
        for name in names:
            if name.startswith("ct2") or name == "default":
                _spawn(f"prepare-{name}", job_file, workdir)
        load_before = os.getloadavg()
        for name in names:
            print(f"running {CONTENDERS[name]} ...", flush=True)
            m = _spawn(name, job_file, workdir)
            if m is not None:
                measurements.append(m)
        load_after = os.getloadavg()
    print()
    print(f"translator {args.translator}, summarizer {args.summarizer}")
    print(f"{len(job.documents)} documents, {job.translation_tokens} tokens per segment, {job.summary_tokens} per "
          f"summary, device {job.device}, {os.cpu_count()} CPUs, load average {load_before[0]:.1f} -> "
          f"{load_after[0]:.1f}")
    print(table(measurements))
    for m in measurements:
        split = m.details.get("generate_seconds", {})
        facts = [(role, m.details[role]) for role in ("translation", "summarization") if role in m.details]
        ran = ", ".join(f"{role} {f.get('backend')} ({f.get('compute_type') or f.get('dtype')})" for role, f in facts)
        print(f"  {CONTENDERS[m.contender]}: generate {split.get('translation', 0):.1f} s translating, "
              f"{split.get('summarization', 0):.1f} s summarizing" + (f"; ran {ran}" if ran else ""))
    checked = goals(measurements)
    for goal, value in checked.items():
        print(f"  {goal}: {value}")
    if args.out:
        report = {
            "settings": {**{k: v for k, v in asdict(job).items() if k != "documents"},
                         "translator": args.translator, "summarizer": args.summarizer},
            "documents": [name for name, _ in job.documents],
            "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                        "load_average_before": load_before, "load_average_after": load_after},
            "contenders": [{**asdict(m), "label": CONTENDERS[m.contender], "docs_per_s": m.docs_per_s,
                            "tokens_per_s": m.tokens_per_s} for m in measurements],
            "goals": checked,
        }
        Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"wrote {args.out}")
    return 0 if len(measurements) == len(names) else 1


if __name__ == "__main__":
    sys.exit(main())
