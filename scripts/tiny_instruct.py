"""Tiny random-weight *instruct* checkpoints for offline tests.

``build_instruct(family, out_dir)`` writes a folder with the same files a real
Hugging Face instruct checkpoint has (config.json, generation_config.json,
model.safetensors, tokenizer.json, tokenizer_config.json,
special_tokens_map.json) for one of the families

    qwen2   (Qwen2.5-Instruct)          qwen3   (Qwen3, hybrid thinking)
    llama   (Llama-3.1/3.2-Instruct)    gemma2  (gemma-2-*-it)
    gemma3  (gemma-3-1b-it, text only)  mistral (Mistral-7B-Instruct-v0.3)
    phi3    (Phi-3-mini-4k-instruct)

Everything is built offline:
* the tokenizer is trained with the ``tokenizers`` library on a small inline
  German+English corpus, in the *style of the family*: byte-level BPE for
  Qwen/Llama-3, SentencePiece-style BPE (``▁`` + byte fallback <0x00>..<0xFF>)
  for Gemma/Mistral/Phi-3.  That matters in transformers 5: for
  ``tokenizer_class`` GemmaTokenizer / LlamaTokenizer / Qwen2Tokenizer the
  backend is *rebuilt* from vocab+merges with the class' own
  normalizer/pre-tokenizer, so the vocab must fit that pipeline.
* special tokens, their order and flags (special / rstrip) follow the real
  tokenizer_config.json ``added_tokens_decoder`` (ids remapped to the tiny vocab).
* ``chat_template`` is the real Jinja text (see chat_templates.json, sources in
  NOTES.md).
* config.json is written in the style of the real config.json (v4 keys such as
  ``rope_scaling`` / ``rope_theta``), with tiny sizes.
* generation_config.json has the real eos lists / sampling defaults with ids
  mapped into the tiny vocab.
* weights are random, re-initialised with a larger scale so outputs depend on
  the input; the lm_head rows of the eos tokens are scaled (``eos_scale``) so
  that eos is sometimes, but not always, chosen by greedy decoding.

``REAL_SHAPES`` holds the Qwen2.5-0.5B/1.5B-Instruct sizes (vocabulary rows 151,936) for benchmarks: the
tokenizer stays tiny, the embedding is padded to the real row count.

Usage: ``python scripts/tiny_instruct.py DIR [--families qwen2 ...] [--shape tiny|qwen2.5-0.5b|qwen2.5-1.5b]``
writes ``DIR/<family>``. The real chat templates come from ``scripts/chat_templates.json`` (sources in
``docs`` of issue 19: onnxruntime-extensions test data and huggingface.js e2e tests; Mistral v0.3 transcribed).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as `python scripts/tiny_instruct.py`: make the `scripts.` modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.tiny_base import ENGLISH_LINES, GERMAN_LINES  # noqa: E402

FAMILIES = ("qwen2", "qwen3", "llama", "gemma2", "gemma3", "mistral", "phi3")

_HERE = Path(__file__).resolve().parent
CHAT_TEMPLATES: dict[str, str] = json.loads((_HERE / "chat_templates.json").read_text(encoding="utf-8"))

# --------------------------------------------------------------------------- corpus
CORPUS = """\
Die Bundesregierung hat am Mittwoch einen neuen Gesetzentwurf zur Förderung erneuerbarer Energien beschlossen.
Der Bundestag soll noch vor der Sommerpause über die Änderungen abstimmen.
Kritiker bemängeln, dass die Maßnahmen zu spät kommen.
In München und Köln demonstrierten am Wochenende tausende Menschen für besseren Klimaschutz und günstigere Mieten.
Die Straßenbahn fährt künftig alle zehn Minuten; die Stadtwerke versprechen pünktlichere Verbindungen.
Laut einer Studie der Universität Heidelberg ernähren sich immer mehr Jugendliche vegetarisch oder vegan.
Der Vorstand des Unternehmens erwartet für das nächste Geschäftsjahr ein Wachstum von über fünf Prozent.
Fußball: Der FC Bayern gewann das Spiel gegen Dortmund mit drei zu eins. Die Fans feierten bis spät in die Nacht.
Das Wetter bleibt wechselhaft: Morgen gibt es Regen im Norden, im Süden scheint überwiegend die Sonne bei 25 Grad.
Fasse den folgenden Text in zwei Sätzen zusammen. Übersetze den folgenden deutschen Text ins Englische.
Zusammenfassung: Die Regierung plant Reformen. Die Opposition übt Kritik. Ärger über höhere Gebühren.
The federal government approved a new draft law on Wednesday to promote renewable energy.
Parliament is expected to vote on the changes before the summer break. Critics complain that the measures come too late.
Thousands of people demonstrated in Munich and Cologne at the weekend for better climate protection and cheaper rents.
According to a study by Heidelberg University, more and more young people are vegetarian or vegan.
The board expects growth of more than five percent for the next financial year.
Summarize the following text in two sentences. Translate the following German text into English.
Summary: The government plans reforms. The opposition criticises them. Anger about higher fees.
You are a helpful assistant. You are Qwen, created by Alibaba Cloud. Write a short summary of the article.
Größe, Übergröße, Äpfel, Öl, Übung, Mädchen, Bär, schön, müde, heiß, weiß, Straße, ß, ä, ö, ü, Ä, Ö, Ü,
€ 1.234,56 – „Zitat“ »Guillemets«
1 2 3 4 5 6 7 8 9 0 2024 2025 10:30 Uhr, 3,5 % ; : ! ? ( ) [ ] { } / \\ - _ + = * # @ & ' "
"""


def _corpus_lines() -> list[str]:
    lines = [line for line in CORPUS.splitlines() if line.strip()]
    return [*lines, *GERMAN_LINES, *ENGLISH_LINES] * 3


@dataclass(frozen=True)
class InstructShape:
    """Size of a decoder-only model."""

    # hidden size
    hidden: int
    # decoder layers
    layers: int
    # attention heads
    heads: int
    # key/value heads (grouped-query attention)
    kv_heads: int
    # MLP inner size
    intermediate: int
    # embedding rows; None: the tokenizer's size (rounded up to 64 for Qwen and Phi-3, as the real ones are)
    vocab_rows: int | None = None
    # lm_head tied to the embedding (Qwen2.5-0.5B/1.5B are); None: the family's default of the builder
    tied: bool | None = None


TINY = InstructShape(hidden=64, layers=2, heads=4, kv_heads=2, intermediate=128)
# Qwen2.5-0.5B-Instruct and Qwen2.5-1.5B-Instruct (config.json of the real checkpoints)
REAL_SHAPES: dict[str, InstructShape] = {
    "tiny": TINY,
    "qwen2.5-0.5b": InstructShape(hidden=896, layers=24, heads=14, kv_heads=2, intermediate=4864,
                                  vocab_rows=151936, tied=True),
    "qwen2.5-1.5b": InstructShape(hidden=1536, layers=28, heads=12, kv_heads=2, intermediate=8960,
                                  vocab_rows=151936, tied=True),
}


# --------------------------------------------------------------------------- family specs
# special tokens: (content, special, rstrip).  Order = order in the real vocab.
_QWEN_SPECIALS = [
    ("<|endoftext|>", True, False), ("<|im_start|>", True, False), ("<|im_end|>", True, False),
    ("<|object_ref_start|>", True, False), ("<|object_ref_end|>", True, False),
    ("<|box_start|>", True, False), ("<|box_end|>", True, False),
    ("<|quad_start|>", True, False), ("<|quad_end|>", True, False),
    ("<|vision_start|>", True, False), ("<|vision_end|>", True, False), ("<|vision_pad|>", True, False),
    ("<|image_pad|>", True, False), ("<|video_pad|>", True, False),
    ("<tool_call>", False, False), ("</tool_call>", False, False),
    ("<|fim_prefix|>", False, False), ("<|fim_middle|>", False, False), ("<|fim_suffix|>", False, False),
    ("<|fim_pad|>", False, False), ("<|repo_name|>", False, False), ("<|file_sep|>", False, False),
]
_QWEN3_EXTRA = [("<tool_response>", False, False), ("</tool_response>", False, False),
                ("<think>", False, False), ("</think>", False, False)]
_LLAMA3_SPECIALS = [
    ("<|begin_of_text|>", True, False), ("<|end_of_text|>", True, False),
    ("<|reserved_special_token_0|>", True, False), ("<|reserved_special_token_1|>", True, False),
    ("<|finetune_right_pad_id|>", True, False), ("<|reserved_special_token_2|>", True, False),
    ("<|start_header_id|>", True, False), ("<|end_header_id|>", True, False),
    ("<|eom_id|>", True, False), ("<|eot_id|>", True, False), ("<|python_tag|>", True, False),
]
_GEMMA2_HEAD = [("<pad>", True, False), ("<eos>", True, False), ("<bos>", True, False), ("<unk>", True, False),
                ("<mask>", False, False), ("<start_of_turn>", True, False), ("<end_of_turn>", True, False)]
_GEMMA3_TAIL = [("<start_of_image>", False, False), ("<end_of_image>", False, False),
                ("<image_soft_token>", True, False)]
_MISTRAL_HEAD = [("<unk>", True, False), ("<s>", True, False), ("</s>", True, False),
                 ("[INST]", True, False), ("[/INST]", True, False), ("[TOOL_CALLS]", True, False),
                 ("[AVAILABLE_TOOLS]", True, False), ("[/AVAILABLE_TOOLS]", True, False),
                 ("[TOOL_RESULTS]", True, False), ("[/TOOL_RESULTS]", True, False)]
_PHI3_HEAD = [("<unk>", True, False), ("<s>", True, False), ("</s>", False, True)]
_PHI3_TAIL = [("<|endoftext|>", True, False), ("<|assistant|>", True, True),
              ("<|placeholder1|>", True, True), ("<|placeholder2|>", True, True),
              ("<|placeholder3|>", True, True), ("<|placeholder4|>", True, True),
              ("<|system|>", True, True), ("<|end|>", True, True),
              ("<|placeholder5|>", True, True), ("<|placeholder6|>", True, True), ("<|user|>", True, True)]

SPECS: dict[str, dict] = {
    "qwen2": dict(
        real="Qwen/Qwen2.5-7B-Instruct", style="bytelevel", head=[], tail=_QWEN_SPECIALS,
        tokenizer_class="Qwen2Tokenizer", bos=None, eos="<|im_end|>", pad="<|endoftext|>", unk=None,
        model_max_length=131072, add_bos=False,
        gen=dict(bos="<|endoftext|>", pad="<|endoftext|>", eos=["<|im_end|>", "<|endoftext|>"],
                 extra=dict(do_sample=True, repetition_penalty=1.05, temperature=0.7, top_p=0.8, top_k=20)),
        cfg_eos="<|im_end|>", cfg_bos="<|endoftext|>",
    ),
    "qwen3": dict(
        real="Qwen/Qwen3-0.6B (template: later Qwen3 revision)", style="bytelevel", head=[],
        tail=_QWEN_SPECIALS + _QWEN3_EXTRA,
        tokenizer_class="Qwen2Tokenizer", bos=None, eos="<|im_end|>", pad="<|endoftext|>", unk=None,
        model_max_length=131072, add_bos=False,
        gen=dict(bos="<|endoftext|>", pad="<|endoftext|>", eos=["<|im_end|>", "<|endoftext|>"],
                 extra=dict(do_sample=True, temperature=0.6, top_k=20, top_p=0.95)),
        cfg_eos="<|im_end|>", cfg_bos="<|endoftext|>",
    ),
    "llama": dict(
        real="meta-llama/Llama-3.1-8B-Instruct / Llama-3.2-1B-Instruct", style="bytelevel", head=[],
        tail=_LLAMA3_SPECIALS,
        tokenizer_class="PreTrainedTokenizerFast", bos="<|begin_of_text|>", eos="<|eot_id|>", pad=None, unk=None,
        model_max_length=131072, add_bos=None,  # bos added by the tokenizer.json TemplateProcessing post-processor
        gen=dict(bos="<|begin_of_text|>", pad=None, eos=["<|end_of_text|>", "<|eom_id|>", "<|eot_id|>"],
                 extra=dict(do_sample=True, temperature=0.6, top_p=0.9)),
        cfg_eos=["<|end_of_text|>", "<|eom_id|>", "<|eot_id|>"], cfg_bos="<|begin_of_text|>",
    ),
    "gemma2": dict(
        real="google/gemma-2-2b-it", style="gemma", head=_GEMMA2_HEAD, tail=[],
        tokenizer_class="GemmaTokenizer", bos="<bos>", eos="<eos>", pad="<pad>", unk="<unk>",
        model_max_length=1000000000000000019884624838656, add_bos=True,
        additional_special_tokens=["<start_of_turn>", "<end_of_turn>"],
        gen=dict(bos="<bos>", pad="<pad>", eos=["<eos>", "<end_of_turn>"], extra=dict(cache_implementation="hybrid")),
        cfg_eos=["<eos>", "<end_of_turn>"], cfg_bos="<bos>",
    ),
    "gemma3": dict(
        real="google/gemma-3-1b-it", style="gemma", head=_GEMMA2_HEAD, tail=_GEMMA3_TAIL,
        tokenizer_class="GemmaTokenizer", bos="<bos>", eos="<eos>", pad="<pad>", unk="<unk>",
        model_max_length=1000000000000000019884624838656, add_bos=True,
        gen=dict(bos="<bos>", pad="<pad>", eos=["<eos>", "<end_of_turn>"],
                 extra=dict(cache_implementation="hybrid", do_sample=True, top_k=64, top_p=0.95)),
        cfg_eos=["<eos>", "<end_of_turn>"], cfg_bos="<bos>",
    ),
    "mistral": dict(
        real="mistralai/Mistral-7B-Instruct-v0.3", style="spm", head=_MISTRAL_HEAD, tail=[],
        tokenizer_class="LlamaTokenizer", bos="<s>", eos="</s>", pad=None, unk="<unk>",
        model_max_length=1000000000000000019884624838656, add_bos=True,
        gen=dict(bos="<s>", pad=None, eos="</s>", extra={}),
        cfg_eos="</s>", cfg_bos="<s>",
    ),
    "phi3": dict(
        real="microsoft/Phi-3-mini-4k-instruct", style="spm", head=_PHI3_HEAD, tail=_PHI3_TAIL,
        tokenizer_class="LlamaTokenizer", bos="<s>", eos="<|endoftext|>", pad="<|endoftext|>", unk="<unk>",
        model_max_length=4096, add_bos=False, padding_side="left",
        gen=dict(bos="<s>", pad="<|endoftext|>", eos=["<|endoftext|>", "<|assistant|>", "<|end|>"], extra={}),
        cfg_eos="<|endoftext|>", cfg_bos="<s>", cfg_pad="<|endoftext|>",
    ),
}
SPECS["qwen2"]["chat_template"] = CHAT_TEMPLATES["qwen2"]
for _f in ("qwen3", "llama", "gemma2", "gemma3", "mistral", "phi3"):
    SPECS[_f]["chat_template"] = CHAT_TEMPLATES[_f]


# --------------------------------------------------------------------------- tokenizers
def _train_bytelevel(spec: dict, vocab_size: int):
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    # Qwen2 / Llama-3 style regex split + byte level (same regex shape as the real tokenizer.json)
    regex = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}"
             r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
    if spec is SPECS["llama"]:
        regex = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
                 r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")
    tok = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    if spec is not SPECS["llama"]:
        tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(regex), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator(_corpus_lines(), trainer=trainer)
    return tok


def _train_spm_like(spec: dict, vocab_size: int):
    """SentencePiece-style BPE: '▁' for spaces, byte fallback tokens <0x00>..<0xFF>.

    Vocab order like the real SPM models: head specials, 256 byte tokens, pieces, tail specials."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

    tmp = Tokenizer(models.BPE())
    tmp.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True)
    alphabet = sorted(set("".join(_corpus_lines())) - {" "}) + ["▁"]
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, show_progress=False,
                                  initial_alphabet=alphabet, special_tokens=[])
    tmp.train_from_iterator(_corpus_lines(), trainer=trainer)
    data = json.loads(tmp.to_str())
    learned = sorted(data["model"]["vocab"].items(), key=lambda kv: kv[1])
    merges = data["model"]["merges"]
    vocab: dict[str, int] = {}
    for content, _s, _r in spec["head"]:
        vocab[content] = len(vocab)
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for piece, _ in learned:
        if piece not in vocab:
            vocab[piece] = len(vocab)
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in merges]
    unk = spec["unk"]
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token=unk, fuse_unk=True, byte_fallback=True,
                               dropout=None))
    if spec["style"] == "gemma":
        # as transformers 5 GemmaTokenizer builds it
        tok.normalizer = normalizers.Replace(" ", "▁")
        tok.pre_tokenizer = pre_tokenizers.Split(pattern=" ", behavior="merged_with_previous", invert=False)
        tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse()])
    else:
        # as transformers 5 LlamaTokenizer (legacy=False) builds it
        tok.normalizer = None
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
        tok.decoder = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                                         decoders.Strip(content=" ", left=1, right=0)])
    return tok


def _build_tokenizer(family: str, vocab_size: int):
    from tokenizers import AddedToken, processors

    spec = SPECS[family]
    tok = _train_bytelevel(spec, vocab_size) if spec["style"] == "bytelevel" else _train_spm_like(spec, vocab_size)
    # head specials already in the vocab (spm styles) -> register them as added tokens too (the real files do)
    added = []
    for content, special, rstrip in spec["head"] + spec["tail"]:
        added.append(AddedToken(content, special=special, rstrip=rstrip, lstrip=False, normalized=False,
                                single_word=False))
    tok.add_tokens(added)  # keeps the 'special' flag of AddedToken
    # post-processor: bos handling like the real tokenizer.json
    bos = spec["bos"]
    if family == "llama":
        bid = tok.token_to_id(bos)
        tok.post_processor = processors.Sequence([
            processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True),
            processors.TemplateProcessing(single=f"{bos}:0 $A:0", pair=f"{bos}:0 $A:0 {bos}:1 $B:1",
                                          special_tokens=[(bos, bid)]),
        ])
    elif spec["style"] == "bytelevel":
        tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    elif spec["add_bos"]:
        bid = tok.token_to_id(bos)
        tok.post_processor = processors.TemplateProcessing(single=f"{bos}:0 $A:0", pair=f"{bos}:0 $A:0 {bos}:1 $B:1",
                                                           special_tokens=[(bos, bid)])
    else:
        tok.post_processor = processors.TemplateProcessing(single="$A:0", pair="$A:0 $B:1", special_tokens=[])
    return tok


def _tokenizer_config(family: str, tok) -> dict:
    spec = SPECS[family]
    decoder = {}
    for content, special, rstrip in spec["head"] + spec["tail"]:
        decoder[str(tok.token_to_id(content))] = dict(content=content, lstrip=False, normalized=False,
                                                      rstrip=rstrip, single_word=False, special=special)
    cfg: dict = {}
    if spec["add_bos"] is not None:
        cfg["add_bos_token"] = spec["add_bos"]
        cfg["add_eos_token"] = False
    if spec["style"] == "bytelevel" and family != "llama":
        cfg["add_prefix_space"] = False
    cfg["added_tokens_decoder"] = dict(sorted(decoder.items(), key=lambda kv: int(kv[0])))
    if family in ("qwen2", "qwen3"):
        cfg["additional_special_tokens"] = [c for c, s, _ in _QWEN_SPECIALS if s and c != "<|endoftext|>"]
    if spec.get("additional_special_tokens"):
        cfg["additional_special_tokens"] = spec["additional_special_tokens"]
    cfg["bos_token"] = spec["bos"]
    cfg["chat_template"] = spec["chat_template"]
    cfg["clean_up_tokenization_spaces"] = family == "llama"
    cfg["eos_token"] = spec["eos"]
    if family in ("qwen2", "qwen3"):
        cfg["errors"] = "replace"
    if spec["style"] == "spm":
        cfg["legacy"] = False
    if family == "llama":
        cfg["model_input_names"] = ["input_ids", "attention_mask"]
    cfg["model_max_length"] = spec["model_max_length"]
    cfg["pad_token"] = spec["pad"]
    if spec.get("padding_side"):
        cfg["padding_side"] = spec["padding_side"]
    if spec["style"] in ("spm", "gemma"):
        cfg["sp_model_kwargs"] = {}
        cfg["spaces_between_special_tokens"] = False
    if family in ("qwen2", "qwen3"):
        cfg["split_special_tokens"] = False
    cfg["tokenizer_class"] = spec["tokenizer_class"]
    cfg["unk_token"] = spec["unk"]
    if spec["style"] in ("spm", "gemma"):
        cfg["use_default_system_prompt"] = False
    return cfg


# --------------------------------------------------------------------------- model configs
def _model_config(family: str, tok, vocab_size: int, shape: InstructShape) -> dict:
    spec = SPECS[family]
    tid = tok.token_to_id

    def ids(x):
        if x is None:
            return None
        return [tid(t) for t in x] if isinstance(x, list) else tid(x)

    hidden, layers, heads, kv = shape.hidden, shape.layers, shape.heads, shape.kv_heads
    head_dim = hidden // heads
    inter = shape.intermediate
    common = dict(bos_token_id=ids(spec["cfg_bos"]), eos_token_id=ids(spec["cfg_eos"]),
                  hidden_size=hidden, intermediate_size=inter, num_hidden_layers=layers,
                  num_attention_heads=heads, num_key_value_heads=kv, vocab_size=vocab_size,
                  torch_dtype="float32", use_cache=True, attention_dropout=0.0)
    if family == "qwen2":
        c = dict(architectures=["Qwen2ForCausalLM"], model_type="qwen2", hidden_act="silu",
                 initializer_range=0.02, max_position_embeddings=32768, max_window_layers=layers,
                 rms_norm_eps=1e-6, rope_scaling=None, rope_theta=1000000.0, sliding_window=131072,
                 tie_word_embeddings=False, use_sliding_window=False)
    elif family == "qwen3":
        c = dict(architectures=["Qwen3ForCausalLM"], model_type="qwen3", attention_bias=False, head_dim=head_dim,
                 hidden_act="silu", initializer_range=0.02, max_position_embeddings=40960, max_window_layers=layers,
                 rms_norm_eps=1e-6, rope_scaling=None, rope_theta=1000000, sliding_window=None,
                 tie_word_embeddings=False, use_sliding_window=False)
    elif family == "llama":
        c = dict(architectures=["LlamaForCausalLM"], model_type="llama", attention_bias=False, head_dim=head_dim,
                 hidden_act="silu", initializer_range=0.02, max_position_embeddings=131072, mlp_bias=False,
                 pretraining_tp=1, rms_norm_eps=1e-5,
                 rope_scaling=dict(factor=32.0, high_freq_factor=4.0, low_freq_factor=1.0,
                                   original_max_position_embeddings=8192, rope_type="llama3"),
                 rope_theta=500000.0, tie_word_embeddings=False)
    elif family == "gemma2":
        c = dict(architectures=["Gemma2ForCausalLM"], model_type="gemma2", attention_bias=False,
                 attn_logit_softcapping=50.0, cache_implementation="hybrid", final_logit_softcapping=30.0,
                 head_dim=head_dim, hidden_act="gelu_pytorch_tanh", hidden_activation="gelu_pytorch_tanh",
                 initializer_range=0.02, max_position_embeddings=8192, pad_token_id=tid("<pad>"),
                 query_pre_attn_scalar=head_dim, rms_norm_eps=1e-6, rope_theta=10000.0, sliding_window=4096)
    elif family == "gemma3":
        c = dict(architectures=["Gemma3ForCausalLM"], model_type="gemma3_text", attention_bias=False,
                 attn_logit_softcapping=None, cache_implementation="hybrid", final_logit_softcapping=None,
                 head_dim=head_dim, hidden_activation="gelu_pytorch_tanh", initializer_range=0.02,
                 max_position_embeddings=32768, pad_token_id=tid("<pad>"), query_pre_attn_scalar=head_dim,
                 rms_norm_eps=1e-6, rope_local_base_freq=10000, rope_scaling=None, rope_theta=1000000,
                 sliding_window=512, sliding_window_pattern=6)
    elif family == "mistral":
        c = dict(architectures=["MistralForCausalLM"], model_type="mistral", hidden_act="silu",
                 initializer_range=0.02, max_position_embeddings=32768, rms_norm_eps=1e-5, rope_theta=1000000.0,
                 sliding_window=None, tie_word_embeddings=False)
    elif family == "phi3":
        c = dict(architectures=["Phi3ForCausalLM"], model_type="phi3", attention_bias=False,
                 embd_pdrop=0.0, hidden_act="silu", initializer_range=0.02, max_position_embeddings=4096,
                 original_max_position_embeddings=4096, pad_token_id=tid("<|endoftext|>"), resid_pdrop=0.0,
                 rms_norm_eps=1e-5, rope_scaling=None, rope_theta=10000.0, sliding_window=2047,
                 tie_word_embeddings=False)
    else:
        raise ValueError(family)
    common.update(c)
    if shape.tied is not None:
        common["tie_word_embeddings"] = shape.tied
    if family.startswith("gemma"):
        common.pop("tie_word_embeddings", None)  # Gemma ties lm_head to the embedding (default True)
    return dict(sorted(common.items()))


def _generation_config(family: str, tok) -> dict:
    g = SPECS[family]["gen"]
    tid = tok.token_to_id
    out = {"bos_token_id": tid(g["bos"]) if g["bos"] else None}
    out["eos_token_id"] = [tid(t) for t in g["eos"]] if isinstance(g["eos"], list) else tid(g["eos"])
    if g["pad"]:
        out["pad_token_id"] = tid(g["pad"])
    out.update(g["extra"])
    out = {k: v for k, v in out.items() if v is not None}
    return dict(sorted(out.items()))


# --------------------------------------------------------------------------- weights
def _init_weights(model, family: str, eos_ids: list[int], eos_scale: float, seed: int):
    import torch

    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:  # norms: keep the model's own init (ones, or zeros for Gemma's (1+w))
                continue
            std = 1.0 if "embed_tokens" in name else 1.5 / (p.shape[1] ** 0.5)
            p.copy_(torch.randn(p.shape, generator=g) * std)
            if "embed_tokens" in name and family.startswith("gemma"):
                # Gemma multiplies the embedding by sqrt(hidden) and ties lm_head to it: with a large embedding the
                # residual stream is dominated by the current token and the tied head just repeats it.
                p.mul_(1.0 / (p.shape[1] ** 0.5))
        if family.startswith("gemma"):
            # Gemma norms are (1 + w): enlarge the branch post-norms (branches dominate the residual) and the
            # final norm (wider logit range through the tied head).
            for name, p in model.named_parameters():
                if p.dim() == 1 and ("post_attention_layernorm" in name or "post_feedforward_layernorm" in name):
                    p.fill_(2.0 if family == "gemma2" else 6.0)
                elif p.dim() == 1 and name.endswith("model.norm.weight"):
                    p.fill_(4.0 if family == "gemma2" else 6.0)
        head = model.get_output_embeddings().weight
        for i in eos_ids:
            head[i] *= eos_scale


# tuned so that greedy decoding of short German prompts ends with eos in roughly half of the cases (max 40 tokens)
DEFAULT_EOS_SCALE = {"qwen2": 1.4, "qwen3": 1.25, "llama": 1.3, "gemma2": 1.3, "gemma3": 1.6, "mistral": 1.4,
                     "phi3": 1.4}


def build_instruct(family: str, out_dir: str | Path, *, seed: int = 0, vocab_size: int = 700,
                   shape: InstructShape = TINY, eos_scale: float | None = None) -> Path:
    """Write a tiny random-weight instruct checkpoint of ``family`` into ``out_dir`` and return it."""
    import torch
    import transformers
    from transformers import AutoConfig, AutoModelForCausalLM

    if family not in SPECS:
        raise ValueError(f"unknown family {family!r}; choose from {sorted(SPECS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tok = _build_tokenizer(family, vocab_size)
    n_tok = tok.get_vocab_size(with_added_tokens=True)
    # like the real checkpoints, the embedding matrix may be larger than the tokenizer (Qwen: 151936 vs 151665,
    # Phi-3: 32064 vs 32011); pad to a multiple of 64 for those two.
    model_vocab = ((n_tok + 63) // 64) * 64 if family in ("qwen2", "qwen3", "phi3") else n_tok
    if shape.vocab_rows is not None:
        model_vocab = max(model_vocab, shape.vocab_rows)
    tok.save(str(out_dir / "tokenizer.json"))

    tcfg = _tokenizer_config(family, tok)
    (out_dir / "tokenizer_config.json").write_text(json.dumps(tcfg, indent=2, ensure_ascii=False) + "\n",
                                                   encoding="utf-8")
    stm = {k: tcfg[k] for k in ("bos_token", "eos_token", "pad_token", "unk_token") if tcfg.get(k)}
    if tcfg.get("additional_special_tokens"):
        stm["additional_special_tokens"] = tcfg["additional_special_tokens"]
    (out_dir / "special_tokens_map.json").write_text(json.dumps(stm, indent=2, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")

    mcfg = _model_config(family, tok, model_vocab, shape)
    mcfg["transformers_version"] = transformers.__version__
    (out_dir / "config.json").write_text(json.dumps(mcfg, indent=2) + "\n", encoding="utf-8")
    gcfg = _generation_config(family, tok)
    gcfg["transformers_version"] = transformers.__version__
    (out_dir / "generation_config.json").write_text(json.dumps(gcfg, indent=2) + "\n", encoding="utf-8")

    torch.manual_seed(seed)
    config = AutoConfig.from_pretrained(out_dir)
    model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    eos_ids = gcfg["eos_token_id"] if isinstance(gcfg["eos_token_id"], list) else [gcfg["eos_token_id"]]
    if eos_scale is None:
        eos_scale = DEFAULT_EOS_SCALE[family]
    _init_weights(model, family, eos_ids, eos_scale, seed)
    model.eval()
    # save weights only (save_pretrained would rewrite config.json in transformers-5 style)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp, safe_serialization=True)
        for f in Path(tmp).glob("*.safetensors"):
            shutil.copy(f, out_dir / f.name)
        idx = Path(tmp) / "model.safetensors.index.json"
        if idx.exists():
            shutil.copy(idx, out_dir / idx.name)
    return out_dir


def main(argv: list[str] | None = None) -> int:
    """Command line: build the named families (default: all) into DIR/<family>."""
    parser = argparse.ArgumentParser(description="tiny random-weight instruct checkpoints")
    parser.add_argument("out_dir", nargs="?", default="models/tiny", help="output folder (default: models/tiny)")
    parser.add_argument("--families", nargs="+", choices=FAMILIES, default=list(FAMILIES))
    parser.add_argument("--shape", choices=sorted(REAL_SHAPES), default="tiny", help="model size (default: tiny)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    for family in args.families:
        folder = build_instruct(family, Path(args.out_dir) / family, seed=args.seed, shape=REAL_SHAPES[args.shape])
        print(f"{family}: {folder} ({args.shape})")
    print("weights are random: outputs are noise")
    return 0


if __name__ == "__main__":
    sys.exit(main())
