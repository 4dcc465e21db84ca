"""The random-weight stand-ins of the other families (scripts/tiny_families.py) load through the real code path
and have the real checkpoints' files, language codes, prefixes and input limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

from scripts.tiny_families import FAMILY_BUILDERS, REAL_SHAPES, TINY_SHAPES

COMMON = {"config.json", "generation_config.json", "model.safetensors", "special_tokens_map.json",
          "tokenizer_config.json"}
# the tokenizer files each real checkpoint ships besides COMMON
FILES = {
    "nllb": {"sentencepiece.bpe.model", "tokenizer.json"},
    "m2m100": {"sentencepiece.bpe.model", "vocab.json"},
    "mbart50": {"sentencepiece.bpe.model"},
    "t5": {"spiece.model", "tokenizer.json"},
    "pegasus": {"spiece.model"},
    "led": {"vocab.json", "merges.txt"},
}
MODEL_TYPES = {"nllb": "m2m_100", "m2m100": "m2m_100", "mbart50": "mbart", "t5": "t5", "pegasus": "pegasus",
               "led": "led"}
# a source-language code and the target code of each multilingual family
CODES = {"nllb": ("fra_Latn", "eng_Latn"), "m2m100": ("__fr__", "__en__"), "mbart50": ("fr_XX", "en_XX")}


def _json(folder: Path, name: str) -> dict:
    return json.loads((folder / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("family", list(FAMILY_BUILDERS))
def test_loads_through_from_pretrained(family_models: dict[str, Path], family: str) -> None:
    folder = family_models[family]
    assert {path.name for path in folder.iterdir()} == COMMON | FILES[family]
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    assert model.config.model_type == MODEL_TYPES[family]
    assert tokenizer.model_max_length == TINY_SHAPES[family].max_positions
    enc = tokenizer(["La Banque centrale a laissé son taux inchangé.", "Die Bank."], return_tensors="pt",
                    padding=True)
    assert int(enc["input_ids"].max()) < model.config.vocab_size
    with torch.inference_mode():
        out = model.generate(**enc, max_new_tokens=3, num_beams=1, do_sample=False)
    assert out.shape[0] == 2


@pytest.mark.parametrize("family", list(CODES))
def test_multilingual_codes(family_models: dict[str, Path], family: str) -> None:
    folder = family_models[family]
    tokenizer = AutoTokenizer.from_pretrained(folder)
    source, target = CODES[family]
    tokenizer.src_lang = source.strip("_")
    ids = tokenizer("La banque.")["input_ids"]
    code_id = tokenizer.convert_tokens_to_ids(source)
    assert ids[0] == code_id != tokenizer.unk_token_id  # the source code is the first input token
    assert tokenizer.convert_tokens_to_ids(target) not in (None, tokenizer.unk_token_id)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder)
    assert tokenizer.convert_tokens_to_ids(target) < model.config.vocab_size


def test_nllb_has_all_flores_codes(family_models: dict[str, Path]) -> None:
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES

    tokenizer = AutoTokenizer.from_pretrained(family_models["nllb"])
    ids = tokenizer.convert_tokens_to_ids(FAIRSEQ_LANGUAGE_CODES)
    assert len(FAIRSEQ_LANGUAGE_CODES) == 202 and len(set(ids)) == 202 and tokenizer.unk_token_id not in ids
    generation = _json(family_models["nllb"], "generation_config.json")
    assert generation["decoder_start_token_id"] == 2 and generation["max_length"] == 200
    assert "forced_bos_token_id" not in generation


def test_t5_prefix_lives_in_task_specific_params(family_models: dict[str, Path]) -> None:
    config = _json(family_models["t5"], "config.json")
    assert config["task_specific_params"]["summarization"]["prefix"] == "summarize: "
    generation = _json(family_models["t5"], "generation_config.json")
    assert "num_beams" not in generation and generation["decoder_start_token_id"] == 0


def test_window_and_generation_settings(family_models: dict[str, Path]) -> None:
    led = _json(family_models["led"], "config.json")
    assert led["max_encoder_position_embeddings"] == 16384
    pegasus = _json(family_models["pegasus"], "generation_config.json")
    assert (pegasus["num_beams"], pegasus["length_penalty"], pegasus["max_length"]) == (8, 0.8, 128)
    assert pegasus["min_length"] == 32
    assert REAL_SHAPES["led"].max_positions == 16384 and REAL_SHAPES["t5"].max_positions == 512


def test_short_variants(family_models: dict[str, Path]) -> None:
    for family in FAMILY_BUILDERS:
        if family != "led":
            assert AutoTokenizer.from_pretrained(family_models[family + "_short"]).model_max_length == 64


@pytest.mark.parametrize("family", list(FAMILY_BUILDERS))
def test_builds_are_byte_identical(family_models: dict[str, Path], family: str, tmp_path: Path) -> None:
    again = FAMILY_BUILDERS[family](tmp_path / family)
    assert {p.name: p.read_bytes() for p in again.iterdir()} == {
        p.name: p.read_bytes() for p in family_models[family].iterdir()
    }


# a small embedding size standing in for the real one (REAL_SHAPES), with the families' gaps between tokenizer
# and embedding (t5-base: 28 rows past its tokens); the weights stay tiny
_PADDED_ROWS = {"m2m100": 3000, "mbart50": 3000, "pegasus": 3000, "t5": 3028}


@pytest.mark.parametrize("family", list(_PADDED_ROWS))
def test_real_size_vocabulary_converts(family_models: dict[str, Path], family: str, tmp_path: Path) -> None:
    """With a vocab_size (as in REAL_SHAPES) the tokenizer files are padded with filler entries up to the
    embedding's rows: text tokenizes as before, and CTranslate2's converter (which requires a vocabulary of the
    embedding's size) accepts the folder."""
    import dataclasses

    pytest.importorskip("ctranslate2")
    from pipeline.models.ct2.families import converter

    rows = _PADDED_ROWS[family]
    folder = FAMILY_BUILDERS[family](tmp_path / family, dataclasses.replace(TINY_SHAPES[family], vocab_size=rows))
    padded, tiny = AutoTokenizer.from_pretrained(folder), AutoTokenizer.from_pretrained(family_models[family])
    text = "The European Central Bank left its key interest rate unchanged on Thursday."
    assert padded.tokenize(text) == tiny.tokenize(text)
    assert _json(folder, "config.json")["vocab_size"] == rows
    assert len(padded) > 5 * len(tiny)
    assert sum(token.startswith("madeupword") for token in padded.get_vocab()) > rows // 2
    out = tmp_path / "ct2"
    converter(str(folder), None, rows).convert(str(out))
    assert len(json.loads((out / "shared_vocabulary.json").read_text(encoding="utf-8"))) == rows
