"""Build random-weight stand-ins for the two real checkpoints, with the same files.

``build_marian`` writes a folder shaped like ``Helsinki-NLP/opus-mt-de-en`` (``source.spm``, ``target.spm``,
``vocab.json``, ``tokenizer_config.json``, ``special_tokens_map.json``, ``config.json``,
``generation_config.json``, ``model.safetensors``); ``build_bart`` one shaped like
``sshleifer/distilbart-cnn-12-6`` (byte-level BPE ``vocab.json`` + ``merges.txt`` and the same json files).
Both load through the real code path (``AutoTokenizer`` / ``AutoModelForSeq2SeqLM.from_pretrained(folder)``)
and convert with CTranslate2's ``TransformersConverter``.

The tokenizers are trained on a few dozen embedded business-news lines, so umlauts, ß, digits, € and „“
quotes are in the vocabulary. The weights are random (``torch.manual_seed``): every output is noise, and
a random model rarely emits end-of-sequence, so generation runs to its length limit. The same seed gives
byte-identical files.

Two quirks of the real checkpoints are kept on purpose: ``config.json`` carries the legacy keys
(``static_position_embeddings``, ``normalize_embedding``, ``num_beams``, ...) that transformers 5 no longer
writes but that the real files have and CTranslate2 reads; and the BART model, like distilbart-cnn, has
one embedding row fewer than its tokenizer (no row for ``<mask>``).

The other families (NLLB, M2M100, mBART-50, T5, Pegasus, LED) are built by ``scripts/tiny_families.py``, the
decoder-only instruct families (qwen2, qwen3, llama, gemma2, gemma3, mistral, phi3) by ``scripts/tiny_instruct.py``
(``--real-shapes`` gives them the Qwen2.5-0.5B-Instruct size).

Usage: ``python scripts/make_tiny_models.py [OUT_DIR] [--real-shapes] [--families NAME ...]`` writes
``OUT_DIR/marian``, ``OUT_DIR/bart``, ``OUT_DIR/nllb``, ... (default ``models/tiny``). ``--real-shapes`` builds
full-size random models for benchmarks.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import io
import json
import logging
import sys
import time
from dataclasses import dataclass
from pathlib import Path

if __package__ in (None, ""):  # run as `python scripts/make_tiny_models.py`: make the `scripts.` modules importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.tiny_base import ENGLISH_LINES, GERMAN_LINES, pad_vocab, save_model, write_json  # noqa: E402
from scripts.tiny_families import FAMILY_BUILDERS, REAL_SHAPES, TINY_SHAPES  # noqa: E402
from scripts.tiny_instruct import FAMILIES as INSTRUCT_FAMILIES  # noqa: E402
from scripts.tiny_instruct import REAL_SHAPES as INSTRUCT_SHAPES  # noqa: E402
from scripts.tiny_instruct import build_instruct  # noqa: E402

logger = logging.getLogger(__name__)

__all__ = [
    "ENGLISH_LINES",
    "GERMAN_LINES",
    "REAL_BART",
    "REAL_MARIAN",
    "TINY_BART",
    "TINY_MARIAN",
    "BartShape",
    "MarianShape",
    "build_bart",
    "build_marian",
]


@dataclass(frozen=True)
class MarianShape:
    """Size of a MarianMT model (opus-mt family: shared embeddings, sinusoidal positions)."""

    # number of encoder layers
    encoder_layers: int
    # number of decoder layers
    decoder_layers: int
    # hidden size
    d_model: int
    # attention heads, encoder and decoder alike
    heads: int
    # feed-forward inner size, encoder and decoder alike
    ffn_dim: int
    # entries in vocab.json, <pad> (the last id) included; None: as many as the trained sentencepiece
    # models give, otherwise dummy entries pad the vocabulary up to this size
    vocab_size: int | None
    # longest sequence in tokens; also the tokenizer's model_max_length, and caps generation's max_length
    max_positions: int


@dataclass(frozen=True)
class BartShape:
    """Size of a BART model. Like distilbart-cnn it has ``vocab_size - 1`` embedding rows (no <mask>)."""

    # number of encoder layers
    encoder_layers: int
    # number of decoder layers
    decoder_layers: int
    # hidden size
    d_model: int
    # attention heads, encoder and decoder alike
    heads: int
    # feed-forward inner size, encoder and decoder alike
    ffn_dim: int
    # entries in the tokenizer's vocab.json, <mask> (the last id) included; None: as many as the trained
    # byte-level BPE gives, otherwise dummy entries pad the vocabulary up to this size
    vocab_size: int | None
    # longest sequence in tokens; also the tokenizer's model_max_length, and caps generation's max_length
    max_positions: int


TINY_MARIAN = MarianShape(
    encoder_layers=2, decoder_layers=2, d_model=16, heads=2, ffn_dim=32, vocab_size=None, max_positions=512
)
TINY_BART = BartShape(
    encoder_layers=2, decoder_layers=1, d_model=16, heads=2, ffn_dim=32, vocab_size=None, max_positions=1024
)
# Helsinki-NLP/opus-mt-de-en
REAL_MARIAN = MarianShape(
    encoder_layers=6,
    decoder_layers=6,
    d_model=512,
    heads=8,
    ffn_dim=2048,
    vocab_size=58101,
    max_positions=512,
)
# sshleifer/distilbart-cnn-12-6 (its config says vocab_size 50264: the tokenizer's 50265 less <mask>)
REAL_BART = BartShape(
    encoder_layers=12,
    decoder_layers=6,
    d_model=1024,
    heads=16,
    ffn_dim=4096,
    vocab_size=50265,
    max_positions=1024,
)

_MARIAN_SPM_VOCAB = 400  # soft limit (hard_vocab_limit=False): the small corpus gives fewer pieces
_BART_BPE_VOCAB = 1000  # likewise a ceiling; the corpus allows fewer merges


def build_marian(out_dir: str | Path, shape: MarianShape = TINY_MARIAN, *, seed: int = 0) -> Path:
    """Write a random-weight MarianMT model with opus-mt-de-en's files into ``out_dir`` and return it.

    The same ``shape`` and ``seed`` give byte-identical files.
    """
    started = time.perf_counter()
    import sentencepiece as spm
    from transformers import GenerationConfig, MarianConfig, MarianMTModel

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    models: dict[str, bytes] = {}
    for name, lines in (("source.spm", GERMAN_LINES), ("target.spm", ENGLISH_LINES)):
        buffer = io.BytesIO()
        # From an iterator into memory: no file paths end up in the model, so builds are byte-identical.
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(lines),
            model_writer=buffer,
            model_type="unigram",
            vocab_size=_MARIAN_SPM_VOCAB,
            hard_vocab_limit=False,
            character_coverage=1.0,
            num_threads=1,
            minloglevel=2,
        )
        models[name] = buffer.getvalue()
        (out / name).write_bytes(models[name])

    # Joint vocabulary as opus-mt has it: </s>=0, <unk>=1, the pieces of both models, <pad> last.
    tokens = ["</s>", "<unk>"]
    seen = set(tokens)
    for name in ("source.spm", "target.spm"):
        processor = spm.SentencePieceProcessor(model_proto=models[name])
        for i in range(processor.get_piece_size()):
            piece = processor.id_to_piece(i)
            if not (processor.is_control(i) or processor.is_unknown(i)) and piece not in seen:
                seen.add(piece)
                tokens.append(piece)
    tokens = pad_vocab(tokens, shape.vocab_size, last="<pad>")
    vocab = {token: i for i, token in enumerate(tokens)}
    pad_id = vocab["<pad>"]
    write_json(out / "vocab.json", vocab)
    write_json(
        out / "tokenizer_config.json",
        {
            "source_lang": "de",
            "target_lang": "en",
            "unk_token": "<unk>",
            "eos_token": "</s>",
            "pad_token": "<pad>",
            "model_max_length": shape.max_positions,
            "sp_model_kwargs": {},
            "separate_vocabs": False,
            "special_tokens_map_file": None,
            "tokenizer_class": "MarianTokenizer",
        },
    )
    write_json(
        out / "special_tokens_map.json", {"eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>"}
    )

    generation = {
        "bad_words_ids": [[pad_id]],
        "bos_token_id": 0,
        "decoder_start_token_id": pad_id,
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        # opus-mt's 512, capped so that a model shrunk with max_positions cannot decode past its positions
        "max_length": min(512, shape.max_positions),
        "num_beams": 4,
        "pad_token_id": pad_id,
        "renormalize_logits": True,
    }
    config = MarianConfig(
        vocab_size=len(tokens),
        decoder_vocab_size=len(tokens),
        d_model=shape.d_model,
        encoder_layers=shape.encoder_layers,
        decoder_layers=shape.decoder_layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn_dim,
        decoder_ffn_dim=shape.ffn_dim,
        max_position_embeddings=shape.max_positions,
        activation_function="swish",
        scale_embedding=True,
        share_encoder_decoder_embeddings=True,
        pad_token_id=pad_id,
        decoder_start_token_id=pad_id,
        bos_token_id=0,
        eos_token_id=0,
        forced_eos_token_id=0,
        dropout=0.1,
        architectures=["MarianMTModel"],
    )
    # Keys of opus-mt-de-en's config.json that transformers 5 no longer writes (generation settings and
    # the old BART-family flags); CTranslate2 and older readers look for them.
    legacy = {
        "_num_labels": 3,
        "add_bias_logits": False,
        "add_final_layer_norm": False,
        "classif_dropout": 0.0,
        "classifier_dropout": 0.0,
        "normalize_before": False,
        "normalize_embedding": False,
        "num_hidden_layers": shape.encoder_layers,
        "static_position_embeddings": True,
        **{key: generation[key] for key in ("bad_words_ids", "forced_eos_token_id", "max_length", "num_beams")},
    }
    save_model(MarianMTModel, config, GenerationConfig(**generation), legacy, out, seed=seed)
    logger.info(
        "wrote Marian model to %s (%d tokens, %.1f s)", out, len(tokens), time.perf_counter() - started
    )
    return out


def build_bart(out_dir: str | Path, shape: BartShape = TINY_BART, *, seed: int = 0) -> Path:
    """Write a random-weight BART model with distilbart-cnn-12-6's files into ``out_dir`` and return it.

    The same ``shape`` and ``seed`` give byte-identical files.
    """
    started = time.perf_counter()
    from tokenizers import ByteLevelBPETokenizer
    from transformers import BartConfig, BartForConditionalGeneration, GenerationConfig

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator(
        ENGLISH_LINES,
        vocab_size=_BART_BPE_VOCAB,
        min_frequency=2,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>"],
        show_progress=False,
    )
    trained = sorted(bpe.get_vocab().items(), key=lambda item: item[1])
    tokens = pad_vocab([token for token, _ in trained] + ["<mask>"], shape.vocab_size, last="<mask>")
    write_json(out / "vocab.json", {token: i for i, token in enumerate(tokens)})
    merges = json.loads(bpe.to_str())["model"]["merges"]
    lines = ["#version: 0.2"] + [m if isinstance(m, str) else " ".join(m) for m in merges]
    (out / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

    write_json(
        out / "tokenizer_config.json",
        {
            "add_prefix_space": False,
            "errors": "replace",
            "bos_token": "<s>",
            "eos_token": "</s>",
            "sep_token": "</s>",
            "cls_token": "<s>",
            "unk_token": "<unk>",
            "pad_token": "<pad>",
            "mask_token": "<mask>",
            "trim_offsets": True,
            "model_max_length": shape.max_positions,
            "tokenizer_class": "BartTokenizer",
        },
    )
    special = {"bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "sep_token": "</s>"}
    special |= {"pad_token": "<pad>", "cls_token": "<s>"}
    special["mask_token"] = {
        "content": "<mask>",
        "lstrip": True,
        "normalized": True,
        "rstrip": False,
        "single_word": False,
    }
    write_json(out / "special_tokens_map.json", special)

    # distilbart-cnn's settings; lengths capped for a model shrunk with max_positions (no-op at the default)
    max_length = min(142, shape.max_positions)
    summarization = {
        "early_stopping": True,
        "length_penalty": 2.0,
        "max_length": max_length,
        "min_length": min(56, max_length),
        "no_repeat_ngram_size": 3,
        "num_beams": 4,
    }
    generation = {
        "bos_token_id": 0,
        "decoder_start_token_id": 2,
        "eos_token_id": 2,
        "forced_bos_token_id": 0,
        "forced_eos_token_id": 2,
        "pad_token_id": 1,
        **summarization,
    }
    config = BartConfig(
        vocab_size=len(tokens) - 1,  # distilbart-cnn has no embedding for <mask>
        d_model=shape.d_model,
        encoder_layers=shape.encoder_layers,
        decoder_layers=shape.decoder_layers,
        encoder_attention_heads=shape.heads,
        decoder_attention_heads=shape.heads,
        encoder_ffn_dim=shape.ffn_dim,
        decoder_ffn_dim=shape.ffn_dim,
        max_position_embeddings=shape.max_positions,
        activation_function="gelu",
        scale_embedding=False,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=2,
        architectures=["BartForConditionalGeneration"],
    )
    legacy = {
        "_num_labels": 3,
        "add_bias_logits": False,
        "add_final_layer_norm": False,
        "classif_dropout": 0.0,
        "extra_pos_embeddings": 2,
        "force_bos_token_to_be_generated": True,
        "forced_bos_token_id": 0,
        "forced_eos_token_id": 2,  # transformers 5.0 no longer writes it either
        "gradient_checkpointing": False,
        "normalize_before": False,
        "normalize_embedding": True,
        "num_hidden_layers": shape.encoder_layers,
        "output_past": True,
        "prefix": " ",
        "replacing_rate": 0,
        "static_position_embeddings": False,
        "student_decoder_layers": None,
        "student_encoder_layers": None,
        "task_specific_params": {"summarization": summarization},
        **summarization,
    }
    save_model(BartForConditionalGeneration, config, GenerationConfig(**generation), legacy, out, seed=seed)
    logger.info("wrote BART model to %s (%d tokens, %.1f s)", out, len(tokens), time.perf_counter() - started)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: build every family's model (or those named) into OUT_DIR/<family>."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out_dir", nargs="?", default="models/tiny", help="output folder (default: models/tiny)"
    )
    parser.add_argument(
        "--real-shapes",
        action="store_true",
        help="full-size random models (opus-mt-de-en, distilbart-cnn-12-6)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed for the weights (default: 0)")
    parser.add_argument(
        "--families",
        nargs="+",
        choices=["marian", "bart", "nllb", "m2m100", "mbart50", "t5", "pegasus", "led", *INSTRUCT_FAMILIES],
        help="build only these (default: all)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    marian_shape, bart_shape = (REAL_MARIAN, REAL_BART) if args.real_shapes else (TINY_MARIAN, TINY_BART)
    family_shapes = REAL_SHAPES if args.real_shapes else TINY_SHAPES
    builds = [("marian", build_marian, marian_shape), ("bart", build_bart, bart_shape)]
    builds += [(name, build, family_shapes[name]) for name, build in FAMILY_BUILDERS.items()]
    instruct_shape = INSTRUCT_SHAPES["qwen2.5-0.5b" if args.real_shapes else "tiny"]
    builds += [(name, functools.partial(_build_instruct, name), instruct_shape) for name in INSTRUCT_FAMILIES]
    if args.families is not None:
        builds = [item for item in builds if item[0] in args.families]
    out = Path(args.out_dir)
    for name, build, shape in builds:
        started = time.perf_counter()
        folder = build(out / name, shape, seed=args.seed)
        size = sum(f.stat().st_size for f in folder.iterdir()) / 2**20
        seconds = time.perf_counter() - started
        print(f"{name}: {folder} ({size:.1f} MiB, {seconds:.1f} s) {dataclasses.asdict(shape)}")
    print("weights are random: outputs are noise")
    return 0


def _build_instruct(family: str, out: Path, shape: object, *, seed: int) -> Path:
    return build_instruct(family, out, shape=shape, seed=seed)  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(main())
