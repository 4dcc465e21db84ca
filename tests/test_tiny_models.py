"""The random-weight stand-ins from scripts/make_tiny_models.py load and behave like the real checkpoints."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch
from transformers import AutoModelForSeq2SeqLM, AutoTokenizer, BartTokenizer, MarianTokenizer

from scripts.make_tiny_models import (
    ENGLISH_LINES,
    GERMAN_LINES,
    REAL_BART,
    REAL_MARIAN,
    TINY_BART,
    TINY_MARIAN,
    build_bart,
    build_marian,
    main,
)

# MarianTokenizer warns when sacremoses is missing; that concerns the product environment, not these models.
pytestmark = pytest.mark.filterwarnings("ignore:Recommended. pip install sacremoses")

GERMAN_SAMPLE = "„Größere Übernahmen“: Die Börse in Köln äußert sich – 12,5 % Plus, 0,20 € je Aktie!"


@pytest.fixture(scope="module")
def marian_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_marian(tmp_path_factory.mktemp("tiny") / "marian")


@pytest.fixture(scope="module")
def bart_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_bart(tmp_path_factory.mktemp("tiny") / "bart")


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _config(folder: Path) -> dict:
    return json.loads((folder / "config.json").read_text(encoding="utf-8"))


def test_shapes_match_the_real_checkpoints() -> None:
    assert (REAL_MARIAN.encoder_layers, REAL_MARIAN.decoder_layers, REAL_MARIAN.d_model) == (6, 6, 512)
    assert (REAL_MARIAN.heads, REAL_MARIAN.ffn_dim, REAL_MARIAN.vocab_size) == (8, 2048, 58101)
    assert REAL_MARIAN.max_positions == TINY_MARIAN.max_positions == 512
    assert (REAL_BART.encoder_layers, REAL_BART.decoder_layers, REAL_BART.d_model) == (12, 6, 1024)
    assert (REAL_BART.heads, REAL_BART.ffn_dim, REAL_BART.vocab_size) == (16, 4096, 50265)
    assert REAL_BART.max_positions == TINY_BART.max_positions == 1024
    with pytest.raises(dataclasses.FrozenInstanceError):
        TINY_MARIAN.d_model = 8  # type: ignore[misc]


def test_files_like_the_real_checkpoints(marian_dir: Path, bart_dir: Path) -> None:
    common = {"config.json", "generation_config.json", "model.safetensors", "special_tokens_map.json"}
    common |= {"tokenizer_config.json", "vocab.json"}
    assert set(_files(marian_dir)) == common | {"source.spm", "target.spm"}
    assert set(_files(bart_dir)) == common | {"merges.txt"}


def test_marian_tokenizer(marian_dir: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(marian_dir)
    assert isinstance(tokenizer, MarianTokenizer)
    assert tokenizer.model_max_length == 512
    assert (tokenizer.source_lang, tokenizer.target_lang) == ("de", "en")
    vocab = json.loads((marian_dir / "vocab.json").read_text(encoding="utf-8"))
    assert (vocab["</s>"], vocab["<unk>"], vocab["<pad>"]) == (0, 1, len(vocab) - 1)
    assert tokenizer.pad_token_id == len(vocab) - 1 and tokenizer.eos_token_id == 0


@pytest.mark.parametrize("text", [GERMAN_SAMPLE, *GERMAN_LINES[:5]])
def test_marian_source_round_trip(marian_dir: Path, text: str) -> None:
    tokenizer = AutoTokenizer.from_pretrained(marian_dir)
    ids = tokenizer(text).input_ids
    assert tokenizer.unk_token_id not in ids
    assert ids[-1] == tokenizer.eos_token_id
    pieces = tokenizer.convert_ids_to_tokens(ids[:-1])
    assert tokenizer.spm_source.decode_pieces(pieces) == text


def test_marian_target_round_trip(marian_dir: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(marian_dir)
    for text in ENGLISH_LINES[:5]:
        ids = tokenizer(text_target=text).input_ids
        assert tokenizer.unk_token_id not in ids
        assert tokenizer.decode(ids, skip_special_tokens=True) == text


def test_bart_tokenizer(bart_dir: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(bart_dir)
    assert isinstance(tokenizer, BartTokenizer)
    assert tokenizer.model_max_length == 1024
    ids = (tokenizer.bos_token_id, tokenizer.pad_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id)
    assert ids == (0, 1, 2, 3)
    assert tokenizer.mask_token_id == len(tokenizer) - 1
    # as distilbart-cnn-12-6: the model has no embedding row for <mask>
    assert _config(bart_dir)["vocab_size"] == len(tokenizer) - 1
    for text in ENGLISH_LINES[:5]:
        encoded = tokenizer(text).input_ids
        assert tokenizer.unk_token_id not in encoded
        assert tokenizer.decode(encoded, skip_special_tokens=True) == text


# BART's real min_length 56 exceeds 5 new tokens; transformers warns and stops at the limit.
@pytest.mark.filterwarnings("ignore:Unfeasible length constraints")
@pytest.mark.parametrize("kind", ["marian", "bart"])
def test_generate_runs(kind: str, marian_dir: Path, bart_dir: Path) -> None:
    folder, lines = (marian_dir, GERMAN_LINES) if kind == "marian" else (bart_dir, ENGLISH_LINES)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
    batch = tokenizer(list(lines[:3]), return_tensors="pt", padding=True)
    with torch.inference_mode():
        output = model.generate(**batch, max_new_tokens=5)
    assert output.shape[0] == 3 and output.shape[1] <= 6
    assert len(tokenizer.batch_decode(output, skip_special_tokens=True)) == 3


def test_generation_config_as_real(marian_dir: Path, bart_dir: Path) -> None:
    marian = AutoModelForSeq2SeqLM.from_pretrained(marian_dir).generation_config
    pad = AutoTokenizer.from_pretrained(marian_dir).pad_token_id
    assert (marian.num_beams, marian.max_length, marian.bad_words_ids) == (4, 512, [[pad]])
    assert (marian.decoder_start_token_id, marian.pad_token_id) == (pad, pad)
    assert (marian.eos_token_id, marian.forced_eos_token_id) == (0, 0)

    bart = AutoModelForSeq2SeqLM.from_pretrained(bart_dir).generation_config
    assert (bart.num_beams, bart.length_penalty, bart.min_length, bart.max_length) == (4, 2.0, 56, 142)
    assert (bart.no_repeat_ngram_size, bart.early_stopping) == (3, True)
    assert (bart.forced_bos_token_id, bart.forced_eos_token_id, bart.decoder_start_token_id) == (0, 2, 2)


def test_config_json_carries_the_real_keys(marian_dir: Path, bart_dir: Path) -> None:
    marian = _config(marian_dir)
    pad = marian["pad_token_id"]
    expected = {
        "activation_function": "swish",
        "add_bias_logits": False,
        "add_final_layer_norm": False,
        "normalize_before": False,
        "normalize_embedding": False,
        "scale_embedding": True,
        "static_position_embeddings": True,
        "share_encoder_decoder_embeddings": True,
        "bad_words_ids": [[pad]],
        "decoder_start_token_id": pad,
        "eos_token_id": 0,
        "forced_eos_token_id": 0,
        "max_length": 512,
        "num_beams": 4,
        "max_position_embeddings": 512,
        "architectures": ["MarianMTModel"],
        "model_type": "marian",
    }
    assert {key: marian.get(key) for key in expected} == expected
    assert pad == marian["vocab_size"] - 1

    bart = _config(bart_dir)
    summarization = {
        "early_stopping": True,
        "length_penalty": 2.0,
        "max_length": 142,
        "min_length": 56,
        "no_repeat_ngram_size": 3,
        "num_beams": 4,
    }
    expected = {
        "activation_function": "gelu",
        "add_bias_logits": False,
        "add_final_layer_norm": False,
        "normalize_before": False,
        "normalize_embedding": True,
        "scale_embedding": False,
        "static_position_embeddings": False,
        "extra_pos_embeddings": 2,
        "forced_bos_token_id": 0,
        "forced_eos_token_id": 2,
        "decoder_start_token_id": 2,
        "max_position_embeddings": 1024,
        "architectures": ["BartForConditionalGeneration"],
        "task_specific_params": {"summarization": summarization},
        "model_type": "bart",
        **summarization,
    }
    assert {key: bart.get(key) for key in expected} == expected


def test_deterministic(marian_dir: Path, bart_dir: Path, tmp_path: Path) -> None:
    rng_before = torch.random.get_rng_state()
    assert _files(build_marian(tmp_path / "marian")) == _files(marian_dir)
    assert _files(build_bart(tmp_path / "bart")) == _files(bart_dir)
    assert torch.equal(torch.random.get_rng_state(), rng_before)  # the caller's RNG is left alone

    other = _files(build_marian(tmp_path / "marian-seed1", seed=1))
    assert other["model.safetensors"] != _files(marian_dir)["model.safetensors"]
    assert other["vocab.json"] == _files(marian_dir)["vocab.json"]


def test_shrunk_max_positions(tmp_path: Path) -> None:
    marian = build_marian(tmp_path / "marian", dataclasses.replace(TINY_MARIAN, max_positions=64))
    bart = build_bart(tmp_path / "bart", dataclasses.replace(TINY_BART, max_positions=64))
    long_german, long_english = " ".join(GERMAN_LINES), " ".join(ENGLISH_LINES)
    for folder, text in ((marian, long_german), (bart, long_english)):
        tokenizer = AutoTokenizer.from_pretrained(folder)
        assert tokenizer.model_max_length == 64
        assert len(tokenizer(text).input_ids) > 64
        assert len(tokenizer(text, truncation=True).input_ids) == 64
        assert _config(folder)["max_position_embeddings"] == 64
        generation = AutoModelForSeq2SeqLM.from_pretrained(folder).generation_config
        assert generation.max_length == 64
        assert (generation.min_length or 0) <= generation.max_length  # Marian sets none, BART 56


def test_padded_vocab(tmp_path: Path, marian_dir: Path, bart_dir: Path) -> None:
    natural_marian = len(json.loads((marian_dir / "vocab.json").read_text(encoding="utf-8")))
    natural_bart = len(json.loads((bart_dir / "vocab.json").read_text(encoding="utf-8")))
    marian = build_marian(tmp_path / "m", dataclasses.replace(TINY_MARIAN, vocab_size=natural_marian + 7))
    bart = build_bart(tmp_path / "b", dataclasses.replace(TINY_BART, vocab_size=natural_bart + 7))
    marian_tok, bart_tok = AutoTokenizer.from_pretrained(marian), AutoTokenizer.from_pretrained(bart)
    assert len(marian_tok) == natural_marian + 7 and marian_tok.pad_token_id == natural_marian + 6
    assert len(bart_tok) == natural_bart + 7 and bart_tok.mask_token_id == natural_bart + 6
    assert _config(marian)["vocab_size"] == natural_marian + 7
    assert _config(bart)["vocab_size"] == natural_bart + 6
    with pytest.raises(ValueError, match="vocab_size 10"):
        build_marian(tmp_path / "small", dataclasses.replace(TINY_MARIAN, vocab_size=10))


@pytest.mark.parametrize("kind", ["marian", "bart"])
def test_ctranslate2_converts_and_translates(
    kind: str, marian_dir: Path, bart_dir: Path, tmp_path: Path
) -> None:
    ctranslate2 = pytest.importorskip("ctranslate2")
    folder, text = (marian_dir, GERMAN_LINES[0]) if kind == "marian" else (bart_dir, ENGLISH_LINES[0])
    converted = ctranslate2.converters.TransformersConverter(str(folder)).convert(
        str(tmp_path / "ct2"), quantization="int8"
    )
    tokenizer = AutoTokenizer.from_pretrained(folder)
    vocabulary = json.loads((Path(converted) / "shared_vocabulary.json").read_text(encoding="utf-8"))
    # the converter drops Marian's <pad> and, for BART, the tokens past the model's vocab_size (<mask>)
    assert len(vocabulary) == len(tokenizer) - 1

    translator = ctranslate2.Translator(converted, device="cpu")
    source = tokenizer.convert_ids_to_tokens(tokenizer(text).input_ids)
    result = translator.translate_batch([source], beam_size=4, max_decoding_length=5)
    assert 0 < len(result[0].hypotheses[0]) <= 5


def test_cli_writes_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "marian" / "source.spm").is_file()
    assert (tmp_path / "out" / "bart" / "merges.txt").is_file()
    assert "outputs are noise" in capsys.readouterr().out
