"""Random-weight stand-ins for the other model families users swap in, with the real checkpoints' files.

One builder per family, each writing the files of a known checkpoint:

- ``build_nllb``: ``facebook/nllb-200-distilled-600M`` (M2M100 architecture; ``sentencepiece.bpe.model`` +
  ``tokenizer.json``, the 202 FLORES-200 language codes such as ``deu_Latn`` as special tokens);
- ``build_m2m100``: ``facebook/m2m100_418M`` (``vocab.json`` + ``sentencepiece.bpe.model``, ``__de__`` codes);
- ``build_mbart50``: ``facebook/mbart-large-50-many-to-many-mmt`` (``sentencepiece.bpe.model``, ``de_DE`` codes);
- ``build_t5``: ``t5-base`` (``spiece.model`` + ``tokenizer.json``, relative positions, the task prefixes in
  ``task_specific_params``, no summarization settings in ``generation_config.json``);
- ``build_pegasus``: ``google/pegasus-cnn_dailymail`` (``spiece.model``, sinusoidal positions);
- ``build_led``: ``allenai/led-base-16384`` (byte-level BPE ``vocab.json`` + ``merges.txt``, a 16,384-token
  encoder window).

``config.json`` and ``generation_config.json`` carry the keys the real files carry (legacy generation keys in
``config.json`` included); ``config.json`` carries only the keys of the real file that transformers 5 still
writes plus those legacy ones. Tokenizers are trained on the embedded news lines of ``make_tiny_models`` plus a
few French and Italian ones; with a ``vocab_size`` (``REAL_SHAPES``) the tokenizer files get filler entries
(``madeupword00042``) up to the real checkpoint's vocabulary, as CTranslate2's converter requires (NLLB's
converter pads by itself, LED's comes padded). The weights are random (every output is noise). The same shape
and seed give byte-identical files. Each folder loads through ``AutoTokenizer`` /
``AutoModelForSeq2SeqLM.from_pretrained``.
"""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.tiny_base import (
    DUMMY,
    ENGLISH_LINES,
    FRENCH_LINES,
    GERMAN_LINES,
    ITALIAN_LINES,
    pad_vocab,
    save_model,
    write_json,
)

logger = logging.getLogger(__name__)

__all__ = [
    "FAMILY_BUILDERS",
    "FRENCH_LINES",
    "ITALIAN_LINES",
    "REAL_SHAPES",
    "TINY_SHAPES",
    "FamilyShape",
    "build_led",
    "build_m2m100",
    "build_mbart50",
    "build_nllb",
    "build_pegasus",
    "build_t5",
]


@dataclass(frozen=True)
class FamilyShape:
    """Size of an encoder-decoder model of any of the families here."""

    # number of encoder layers
    encoder_layers: int
    # number of decoder layers
    decoder_layers: int
    # hidden size
    d_model: int
    # attention heads, encoder and decoder alike
    heads: int
    # feed-forward inner size
    ffn_dim: int
    # rows of the embedding matrix (config vocab_size); None: as many as the tokenizer has. The tokenizer is
    # trained on a few lines, so a real-size vocabulary is reached with ids no token maps to
    vocab_size: int | None
    # longest input in tokens (encoder positions; for T5, whose positions are relative, the tokenizer's limit)
    max_positions: int
    # LED only: tokens each side of a token that local attention sees, per layer (even)
    attention_window: int = 0


TINY = FamilyShape(encoder_layers=2, decoder_layers=1, d_model=16, heads=2, ffn_dim=32, vocab_size=None,
                   max_positions=1024)
TINY_SHAPES: dict[str, FamilyShape] = {
    "nllb": TINY,
    "m2m100": TINY,
    "mbart50": TINY,
    "t5": FamilyShape(2, 1, 16, 2, 32, None, 512),
    "pegasus": TINY,
    "led": FamilyShape(2, 1, 16, 2, 32, None, 16384, attention_window=64),
}
# the real checkpoints' sizes, for benchmarks with random weights
REAL_SHAPES: dict[str, FamilyShape] = {
    # facebook/nllb-200-distilled-600M
    "nllb": FamilyShape(12, 12, 1024, 16, 4096, 256206, 1024),
    # facebook/m2m100_418M
    "m2m100": FamilyShape(12, 12, 1024, 16, 4096, 128112, 1024),
    # facebook/mbart-large-50-many-to-many-mmt
    "mbart50": FamilyShape(12, 12, 1024, 16, 4096, 250054, 1024),
    # t5-base (d_kv 64)
    "t5": FamilyShape(12, 12, 768, 12, 3072, 32128, 512),
    # google/pegasus-cnn_dailymail
    "pegasus": FamilyShape(16, 16, 1024, 16, 4096, 96103, 1024),
    # allenai/led-base-16384
    "led": FamilyShape(6, 6, 768, 12, 3072, 50265, 16384, attention_window=1024),
}

MULTILINGUAL_LINES = GERMAN_LINES + ENGLISH_LINES + FRENCH_LINES + ITALIAN_LINES

_SPM_VOCAB = 500  # soft limit (hard_vocab_limit=False): the small corpus gives fewer pieces


def _train_spm(lines: Sequence[str], model_type: str, **ids: int) -> bytes:
    """A sentencepiece model trained in memory on ``lines`` (no file paths end up in it)."""
    import sentencepiece as spm

    buffer = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buffer,
        model_type=model_type,
        vocab_size=_SPM_VOCAB,
        hard_vocab_limit=False,
        character_coverage=1.0,
        num_threads=1,
        minloglevel=2,
        **ids,
    )
    return buffer.getvalue()


def _spm_pieces(model: bytes) -> list[str]:
    """The ordinary pieces of a sentencepiece model (no control or unknown symbols), in id order."""
    import sentencepiece as spm

    processor = spm.SentencePieceProcessor(model_proto=model)
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())
            if not (processor.is_control(i) or processor.is_unknown(i))]


def _pad_spm(model: bytes, pieces: int) -> bytes:
    """``model`` with ``pieces`` filler pieces (``madeupword00042``) appended, scored below every real piece.

    Nothing in text matches them, so tokenization is unchanged; they give the tokenizer (and the vocabulary
    CTranslate2's converter reads from it) the real checkpoint's size.
    """
    from sentencepiece import sentencepiece_model_pb2

    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(model)
    lowest = min(piece.score for piece in proto.pieces) - 10.0
    normal = sentencepiece_model_pb2.ModelProto.SentencePiece.NORMAL
    for i in range(pieces):
        proto.pieces.add(piece=DUMMY.format(i), score=lowest, type=normal)
    proto.trainer_spec.vocab_size = len(proto.pieces)
    return proto.SerializeToString()


def _pad_spm_file(out: Path, name: str, size: int | None) -> int:
    """Pad the folder's sentencepiece model ``name`` so that its tokenizer has ``size`` tokens.

    Returns the tokenizer's length. With ``size`` None nothing changes (the tiny test models).
    """
    tokens = _tokenizer_length(out)
    if size is None or size == tokens:
        return tokens
    if size < tokens:
        raise ValueError(f"vocab_size {size} is smaller than the tokenizer ({tokens} tokens)")
    path = out / name
    path.write_bytes(_pad_spm(path.read_bytes(), size - tokens))
    padded = _tokenizer_length(out)
    if padded != size:
        raise RuntimeError(f"{path}: the padded tokenizer has {padded} tokens, expected {size}")
    return padded


def _tokenizer_length(out: Path) -> int:
    """Tokens the folder's tokenizer knows (loaded as the pipeline loads it)."""
    from transformers import AutoTokenizer

    return len(AutoTokenizer.from_pretrained(out))


def _vocab_size(shape: FamilyShape, tokens: int) -> int:
    if shape.vocab_size is None:
        return tokens
    if shape.vocab_size < tokens:
        raise ValueError(f"vocab_size {shape.vocab_size} is smaller than the tokenizer ({tokens} tokens)")
    return shape.vocab_size


_FAIRSEQ_SPECIAL = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}
_MASK = {"content": "<mask>", "lstrip": True, "normalized": True, "rstrip": False, "single_word": False}


def build_nllb(out_dir: str | Path, shape: FamilyShape = TINY_SHAPES["nllb"], *, seed: int = 0) -> Path:
    """Write a random-weight NLLB-200 model with nllb-200-distilled-600M's files into ``out_dir``."""
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    out = _fresh(out_dir)
    (out / "sentencepiece.bpe.model").write_bytes(_train_spm(MULTILINGUAL_LINES, "bpe"))
    tokenizer_config = {
        "additional_special_tokens": list(FAIRSEQ_LANGUAGE_CODES),
        **_FAIRSEQ_SPECIAL,
        "cls_token": "<s>",
        "sep_token": "</s>",
        "mask_token": _MASK,
        "model_max_length": shape.max_positions,
        "sp_model_kwargs": {},
        "src_lang": None,
        "tgt_lang": None,
        "tokenizer_class": "NllbTokenizer",
    }
    write_json(out / "tokenizer_config.json", tokenizer_config)
    write_json(out / "special_tokens_map.json", {
        "additional_special_tokens": list(FAIRSEQ_LANGUAGE_CODES),
        **_FAIRSEQ_SPECIAL, "cls_token": "<s>", "sep_token": "</s>", "mask_token": _MASK,
    })
    # tokenizer.json as transformers converts it from the sentencepiece model (the real repo ships both)
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(out)
    write_json(out / "tokenizer.json", json.loads(tokenizer.backend_tokenizer.to_str()))
    tokens = _tokenizer_length(out)

    generation = {"bos_token_id": 0, "decoder_start_token_id": 2, "eos_token_id": 2, "max_length": 200,
                  "pad_token_id": 1}
    config = M2M100Config(
        vocab_size=_vocab_size(shape, tokens),
        **_layers(shape),
        max_position_embeddings=shape.max_positions,
        activation_function="relu",
        scale_embedding=True,
        dropout=0.1,
        attention_dropout=0.1,
        encoder_layerdrop=0,
        decoder_layerdrop=0,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        tokenizer_class="NllbTokenizer",
        architectures=["M2M100ForConditionalGeneration"],
    )
    legacy = {"max_length": 200, "num_hidden_layers": shape.encoder_layers}
    return _finish("NLLB", M2M100ForConditionalGeneration, config, GenerationConfig(**generation), legacy, out,
                   seed=seed)


def build_m2m100(out_dir: str | Path, shape: FamilyShape = TINY_SHAPES["m2m100"], *, seed: int = 0) -> Path:
    """Write a random-weight M2M100 model with m2m100_418M's files into ``out_dir``."""
    from transformers import GenerationConfig, M2M100Config, M2M100ForConditionalGeneration
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES

    out = _fresh(out_dir)
    model = _train_spm(MULTILINGUAL_LINES, "bpe")
    (out / "sentencepiece.bpe.model").write_bytes(model)
    # the fairseq dictionary: the four specials, then the pieces; the tokenizer appends the __xx__ codes and
    # eight madeupwords after it
    tokens = ["<s>", "<pad>", "</s>", "<unk>"] + _spm_pieces(model)
    appended = len(FAIRSEQ_LANGUAGE_CODES["m2m100"]) + 8
    if shape.vocab_size is not None:  # real size: 128,004 entries, filler ones after the trained pieces
        if shape.vocab_size < len(tokens) + appended:
            raise ValueError(f"vocab_size {shape.vocab_size} is smaller than the tokenizer "
                             f"({len(tokens) + appended} tokens)")
        tokens += [DUMMY.format(i) for i in range(shape.vocab_size - appended - len(tokens))]
    write_json(out / "vocab.json", {token: i for i, token in enumerate(tokens)})
    write_json(out / "tokenizer_config.json", {
        **_FAIRSEQ_SPECIAL,
        "sep_token": "</s>",
        "language_codes": "m2m100",
        "model_max_length": shape.max_positions,
        "num_madeup_words": 8,
        "src_lang": None,
        "tgt_lang": None,
        "tokenizer_class": "M2M100Tokenizer",
    })
    write_json(out / "special_tokens_map.json", {**_FAIRSEQ_SPECIAL, "sep_token": "</s>"})
    # len(M2M100Tokenizer) leaves out the codes and madeupwords; the embedding has rows for both
    total = len(tokens) + appended

    summary = {"early_stopping": True, "max_length": 200, "num_beams": 5}
    generation = {"bos_token_id": 0, "decoder_start_token_id": 2, "eos_token_id": 2, "pad_token_id": 1, **summary}
    config = M2M100Config(
        vocab_size=_vocab_size(shape, total),
        **_layers(shape),
        max_position_embeddings=shape.max_positions,
        activation_function="relu",
        scale_embedding=True,
        dropout=0.1,
        attention_dropout=0.1,
        encoder_layerdrop=0.05,
        decoder_layerdrop=0.05,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        architectures=["M2M100ForConditionalGeneration"],
    )
    legacy = {"gradient_checkpointing": False, "num_hidden_layers": shape.encoder_layers, **summary}
    return _finish("M2M100", M2M100ForConditionalGeneration, config, GenerationConfig(**generation), legacy, out,
                   seed=seed)


def build_mbart50(out_dir: str | Path, shape: FamilyShape = TINY_SHAPES["mbart50"], *, seed: int = 0) -> Path:
    """Write a random-weight mBART-50 model with mbart-large-50-many-to-many-mmt's files into ``out_dir``."""
    from transformers import GenerationConfig, MBartConfig, MBartForConditionalGeneration
    from transformers.models.mbart50.tokenization_mbart50 import FAIRSEQ_LANGUAGE_CODES

    out = _fresh(out_dir)
    (out / "sentencepiece.bpe.model").write_bytes(_train_spm(MULTILINGUAL_LINES, "unigram"))
    special = {**_FAIRSEQ_SPECIAL, "cls_token": "<s>", "sep_token": "</s>", "mask_token": _MASK,
               "additional_special_tokens": list(FAIRSEQ_LANGUAGE_CODES)}
    write_json(out / "tokenizer_config.json", {
        **special,
        "language_codes": "ML50",
        "model_max_length": shape.max_positions,
        "sp_model_kwargs": {},
        "src_lang": None,
        "tgt_lang": None,
        "tokenizer_class": "MBart50Tokenizer",
    })
    write_json(out / "special_tokens_map.json", special)
    # real size: 250,000 pieces + the fairseq offset + 52 codes + <mask>
    tokens = _pad_spm_file(out, "sentencepiece.bpe.model", shape.vocab_size)

    summary = {"early_stopping": True, "max_length": 200, "num_beams": 5}
    generation = {"bos_token_id": 0, "decoder_start_token_id": 2, "eos_token_id": 2, "forced_eos_token_id": 2,
                  "pad_token_id": 1, **summary}
    config = MBartConfig(
        vocab_size=_vocab_size(shape, tokens),
        **_layers(shape),
        max_position_embeddings=shape.max_positions,
        activation_function="relu",
        scale_embedding=True,
        dropout=0.1,
        attention_dropout=0.0,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=2,
        tokenizer_class="MBart50Tokenizer",
        architectures=["MBartForConditionalGeneration"],
    )
    legacy = {
        "_num_labels": 3,
        "add_bias_logits": False,
        "add_final_layer_norm": True,
        "classif_dropout": 0.0,
        "gradient_checkpointing": False,
        "normalize_before": True,
        "normalize_embedding": True,
        "num_hidden_layers": shape.encoder_layers,
        "output_past": True,
        "static_position_embeddings": False,
        **summary,
    }
    return _finish("mBART-50", MBartForConditionalGeneration, config, GenerationConfig(**generation), legacy, out,
                   seed=seed)


# t5-base's task_specific_params
_T5_TASKS = {
    "summarization": {"early_stopping": True, "length_penalty": 2.0, "max_length": 200, "min_length": 30,
                      "no_repeat_ngram_size": 3, "num_beams": 4, "prefix": "summarize: "},
    "translation_en_to_de": {"early_stopping": True, "max_length": 300, "num_beams": 4,
                             "prefix": "translate English to German: "},
    "translation_en_to_fr": {"early_stopping": True, "max_length": 300, "num_beams": 4,
                             "prefix": "translate English to French: "},
    "translation_en_to_ro": {"early_stopping": True, "max_length": 300, "num_beams": 4,
                             "prefix": "translate English to Romanian: "},
}


_T5_SPARE_ROWS = 28  # t5-base: 32,128 embedding rows for 32,100 tokens


def build_t5(out_dir: str | Path, shape: FamilyShape = TINY_SHAPES["t5"], *, seed: int = 0) -> Path:
    """Write a random-weight T5 model with t5-base's files into ``out_dir``.

    Like t5-base, ``generation_config.json`` has no summarization settings: they and the ``summarize: ``
    prefix live in ``config.json``'s ``task_specific_params``; the input limit is the tokenizer's 512.
    """
    from transformers import AutoTokenizer, GenerationConfig, T5Config, T5ForConditionalGeneration

    out = _fresh(out_dir)
    # T5's sentencepiece: pad 0, eos 1, unk 2, no bos
    lines = ENGLISH_LINES + tuple(f"summarize: {line}" for line in ENGLISH_LINES[:8])
    (out / "spiece.model").write_bytes(
        _train_spm(lines, "unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
    )
    extra = [f"<extra_id_{i}>" for i in range(100)]
    write_json(out / "tokenizer_config.json", {
        "additional_special_tokens": extra,
        "eos_token": "</s>",
        "extra_ids": 100,
        "model_max_length": shape.max_positions,
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "tokenizer_class": "T5Tokenizer",
    })
    write_json(out / "special_tokens_map.json", {
        "additional_special_tokens": extra, "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>",
    })
    # real size: 32,000 pieces + 100 sentinels = 32,100 tokens; the embedding has 28 more rows (32,128)
    _pad_spm_file(out, "spiece.model", None if shape.vocab_size is None else shape.vocab_size - _T5_SPARE_ROWS)
    tokenizer = AutoTokenizer.from_pretrained(out)
    write_json(out / "tokenizer.json", json.loads(tokenizer.backend_tokenizer.to_str()))
    tokens = _tokenizer_length(out)

    generation = {"decoder_start_token_id": 0, "eos_token_id": 1, "pad_token_id": 0}
    config = T5Config(
        vocab_size=_vocab_size(shape, tokens),
        d_model=shape.d_model,
        d_kv=shape.d_model // shape.heads,
        d_ff=shape.ffn_dim,
        num_layers=shape.encoder_layers,
        num_decoder_layers=shape.decoder_layers,
        num_heads=shape.heads,
        relative_attention_num_buckets=32,
        dropout_rate=0.1,
        layer_norm_epsilon=1e-6,
        initializer_factor=1.0,
        feed_forward_proj="relu",
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        architectures=["T5ForConditionalGeneration"],
        task_specific_params=_T5_TASKS,
    )
    legacy = {"n_positions": shape.max_positions, "output_past": True, "task_specific_params": _T5_TASKS}
    return _finish("T5", T5ForConditionalGeneration, config, GenerationConfig(**generation), legacy, out,
                   seed=seed)


def build_pegasus(out_dir: str | Path, shape: FamilyShape = TINY_SHAPES["pegasus"], *, seed: int = 0) -> Path:
    """Write a random-weight Pegasus model with pegasus-cnn_dailymail's files into ``out_dir``."""
    from transformers import GenerationConfig, PegasusConfig, PegasusForConditionalGeneration

    out = _fresh(out_dir)
    # Pegasus' sentencepiece: pad 0, eos 1, unk 2; the tokenizer shifts pieces by 103 (<mask_1>, <mask_2>,
    # <unk_2>..<unk_102>)
    (out / "spiece.model").write_bytes(
        _train_spm(ENGLISH_LINES, "unigram", pad_id=0, eos_id=1, unk_id=2, bos_id=-1)
    )
    extra = ["<mask_1>"] + [f"<unk_{i}>" for i in range(2, 103)]
    write_json(out / "tokenizer_config.json", {
        "additional_special_tokens": extra,
        "eos_token": "</s>",
        "full_tokenizer_file": None,
        "mask_token": "<mask_2>",
        "mask_token_sent": "<mask_1>",
        "model_max_length": shape.max_positions,
        "offset": 103,
        "pad_token": "<pad>",
        "unk_token": "<unk>",
        "tokenizer_class": "PegasusTokenizer",
    })
    write_json(out / "special_tokens_map.json", {
        "additional_special_tokens": extra, "eos_token": "</s>", "mask_token": "<mask_2>", "pad_token": "<pad>",
        "unk_token": "<unk>",
    })
    # real size: 96,000 pieces + the offset of 103
    tokens = _pad_spm_file(out, "spiece.model", shape.vocab_size)

    summary = {"length_penalty": 0.8, "max_length": 128, "min_length": 32, "num_beams": 8}
    generation = {"bos_token_id": 0, "decoder_start_token_id": 0, "eos_token_id": 1, "forced_eos_token_id": 1,
                  "pad_token_id": 0, **summary}
    config = PegasusConfig(
        vocab_size=_vocab_size(shape, tokens),
        **_layers(shape),
        max_position_embeddings=shape.max_positions,
        activation_function="relu",
        scale_embedding=True,
        dropout=0.1,
        attention_dropout=0.1,
        activation_dropout=0.1,
        pad_token_id=0,
        bos_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        forced_eos_token_id=1,
        architectures=["PegasusForConditionalGeneration"],
    )
    legacy = {
        "_num_labels": 3,
        "add_bias_logits": False,
        "add_final_layer_norm": True,
        "classif_dropout": 0.0,
        "extra_pos_embeddings": 1,
        "force_bos_token_to_be_generated": False,
        "gradient_checkpointing": False,
        "normalize_before": True,
        "normalize_embedding": False,
        "num_hidden_layers": shape.encoder_layers,
        "static_position_embeddings": True,
        **summary,
    }
    return _finish("Pegasus", PegasusForConditionalGeneration, config, GenerationConfig(**generation), legacy, out,
                   seed=seed)


def build_led(out_dir: str | Path, shape: FamilyShape = TINY_SHAPES["led"], *, seed: int = 0) -> Path:
    """Write a random-weight LED model with led-base-16384's files into ``out_dir`` (16,384-token encoder)."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GenerationConfig, LEDConfig, LEDForConditionalGeneration

    out = _fresh(out_dir)
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(ENGLISH_LINES, vocab_size=1000, min_frequency=2,
                            special_tokens=["<s>", "<pad>", "</s>", "<unk>"], show_progress=False)
    trained = sorted(bpe.get_vocab().items(), key=lambda item: item[1])
    tokens = pad_vocab([token for token, _ in trained] + ["<mask>"], shape.vocab_size, last="<mask>")
    write_json(out / "vocab.json", {token: i for i, token in enumerate(tokens)})
    merges = json.loads(bpe.to_str())["model"]["merges"]
    lines = ["#version: 0.2"] + [m if isinstance(m, str) else " ".join(m) for m in merges]
    (out / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    special = {**_FAIRSEQ_SPECIAL, "cls_token": "<s>", "sep_token": "</s>", "mask_token": _MASK}
    write_json(out / "tokenizer_config.json", {
        **special, "add_prefix_space": False, "errors": "replace", "model_max_length": shape.max_positions,
        "trim_offsets": True, "tokenizer_class": "LEDTokenizer",
    })
    write_json(out / "special_tokens_map.json", special)

    generation = {"bos_token_id": 0, "decoder_start_token_id": 2, "eos_token_id": 2, "pad_token_id": 1}
    config = LEDConfig(
        vocab_size=len(tokens),
        **_layers(shape),
        max_encoder_position_embeddings=shape.max_positions,
        max_decoder_position_embeddings=1024,
        attention_window=[shape.attention_window] * shape.encoder_layers,
        activation_function="gelu",
        dropout=0.1,
        attention_dropout=0.0,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        architectures=["LEDForConditionalGeneration"],
    )
    legacy = {"classif_dropout": 0.0, "gradient_checkpointing": False, "num_hidden_layers": shape.encoder_layers}
    return _finish("LED", LEDForConditionalGeneration, config, GenerationConfig(**generation), legacy, out,
                   seed=seed)


def _fresh(out_dir: str | Path) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    return out


def _layers(shape: FamilyShape) -> dict[str, int]:
    """The BART-style size keys shared by M2M100, mBART, Pegasus and LED configs."""
    return {
        "d_model": shape.d_model,
        "encoder_layers": shape.encoder_layers,
        "decoder_layers": shape.decoder_layers,
        "encoder_attention_heads": shape.heads,
        "decoder_attention_heads": shape.heads,
        "encoder_ffn_dim": shape.ffn_dim,
        "decoder_ffn_dim": shape.ffn_dim,
    }


def _finish(name: str, model_class: Any, config: Any, generation: Any, legacy: dict[str, Any], out: Path, *,
            seed: int) -> Path:
    started = time.perf_counter()
    save_model(model_class, config, generation, legacy, out, seed=seed)
    logger.info("wrote %s model to %s (%d embedding rows, %.1f s)", name, out, config.vocab_size,
                time.perf_counter() - started)
    return out


# family name -> builder, in the order the command line builds them
FAMILY_BUILDERS: dict[str, Callable[..., Path]] = {
    "nllb": build_nllb,
    "m2m100": build_m2m100,
    "mbart50": build_mbart50,
    "t5": build_t5,
    "pegasus": build_pegasus,
    "led": build_led,
}
