"""Config: defaults defined once and mirrored by configs/default.yaml; clear errors; overrides."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from pipeline.config import HASH_EXEMPT, OUTPUT_NEUTRAL, RESOLVED_KEYS, Config, ConfigError, load_config, parse_set
from pipeline.run import main

DEFAULT_YAML = Path(__file__).resolve().parents[1] / "configs" / "default.yaml"


def _leaves(value, prefix=""):
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)
    out = set()
    for key, item in value.items():
        if isinstance(item, dict) and key != "generation":
            out |= _leaves(item, f"{prefix}{key}.")
        else:
            out.add(f"{prefix}{key}")
    return out


def test_default_yaml_equals_the_code_defaults():
    assert load_config(DEFAULT_YAML) == Config()


def test_default_yaml_spells_out_every_key():
    assert _leaves(yaml.safe_load(DEFAULT_YAML.read_text())) == _leaves(Config())


def test_default_yaml_comments_every_key():
    for line in DEFAULT_YAML.read_text().splitlines():
        if line.startswith("  ") and ":" in line and not line.strip().startswith("#"):
            assert "#" in line, f"key without a comment: {line.strip()}"


@pytest.mark.parametrize(
    ("override", "must_mention"),
    [
        ("runtime.device=gpu", ["runtime.device", "'gpu'", "'cuda:N'", "'mps'"]),
        ("runtime.batchsize=8", ["runtime.batchsize", "batch_size"]),
        ("runtime.dtype=fp16", ["runtime.dtype", "'bfloat16'", "'float32'"]),
        ("runtime.batch_size=0", ["runtime.batch_size", ">= 1"]),
        ("runtime.batch_size=many", ["runtime.batch_size", "integer"]),
        ("runtime.progress=3", ["runtime.progress", "true/false"]),
        ("translation.backend=onnx", ["translation.backend", "'transformers'", "'ctranslate2'"]),
        ("summarization.generation.num_beam=2", ["num_beam", "num_beams"]),
        ("summarization.generation.num_beams=0", ["summarization.generation.num_beams", ">= 1"]),
        ("translation.generation.top_p=1.5", ["translation.generation.top_p", "(0, 1]"]),
        ("input.encoding=klingon", ["input.encoding", "cp1252"]),
        ("language.english=maybe", ["language.english", "'skip_translation'"]),
        ("nosuchsection.key=1", ["nosuchsection", "runtime"]),
        ("runtime=3", ["runtime", "batch_size"]),
    ],
)
def test_bad_values_name_the_key_and_the_choices(override, must_mention):
    with pytest.raises(ConfigError) as info:
        load_config(DEFAULT_YAML, overrides=[override])
    for text in must_mention:
        assert text in str(info.value)


def test_set_values_are_read_as_yaml():
    assert parse_set("runtime.batch_size=8") == {"runtime": {"batch_size": 8}}
    assert parse_set("translation.revision=null") == {"translation": {"revision": None}}
    assert parse_set("runtime.quantize=true") == {"runtime": {"quantize": True}}
    assert parse_set("summarization.generation={num_beams: 2}") == {
        "summarization": {"generation": {"num_beams": 2}}}
    with pytest.raises(ConfigError):
        parse_set("runtime.batch_size")


def test_overrides_merge_into_the_yaml():
    config = load_config(DEFAULT_YAML, overrides=[
        "runtime.batch_size=4", "summarization.generation.num_beams=2", "summarization.generation.max_new_tokens=60",
    ])
    assert config.runtime.batch_size == 4
    assert config.runtime.device == "auto"
    assert config.summarization.generation == {"num_beams": 2, "max_new_tokens": 60}
    assert load_config(config, overrides={"runtime": {"device": "cpu"}}).runtime.batch_size == 4


@pytest.mark.parametrize("neutral", ["runtime.progress=false", "runtime.batch_size=3", "runtime.threads=1",
                                     "runtime.max_batch_tokens=512", "runtime.workers=2", "runtime.engine=ray",
                                     "runtime.device=cpu", "ray.num_actors=3"])
def test_hash_ignores_output_neutral_keys(neutral):
    base = Config()
    assert load_config(base, overrides=[neutral]).hash() == base.hash()


@pytest.mark.parametrize("deciding", ["translation.generation.num_beams=2", "runtime.group_size=8",
                                      "runtime.dtype=bfloat16", "translation.model=x", "language.other=translate",
                                      "runtime.seed=1", "summarization.max_input_tokens=100"])
def test_hash_covers_every_output_deciding_key(deciding):
    base = Config()
    assert load_config(base, overrides=[deciding]).hash() != base.hash()


def test_every_neutral_key_exists_and_is_recorded():
    settings = Config().neutral_settings()
    assert set(settings) == set(OUTPUT_NEUTRAL) | set(RESOLVED_KEYS)
    data = Config().to_dict()
    for dotted in HASH_EXEMPT:
        section, _, key = dotted.partition(".")
        assert section in data and (not key or key in data[section]), dotted


def test_cli_exits_2_naming_the_bad_key(capsys):
    assert main([str(DEFAULT_YAML), "--set", "runtime.devise=cpu"]) == 2
    err = capsys.readouterr().err
    assert "runtime.devise" in err and "device" in err


def test_cli_exits_2_for_a_missing_config_file(capsys, tmp_path):
    assert main([str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err


def test_cli_exits_2_for_a_config_that_is_not_a_mapping(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n")
    assert main([str(bad)]) == 2
    assert "mapping" in capsys.readouterr().err


# -- issue 17 ----------------------------------------------------------------------------------------------


def test_yaml_alias_bomb_and_oversized_config_are_refused_at_once(tmp_path):
    # item 11: aliases nested under generation.suppress_tokens, six levels of ten: a million values once
    # expanded (the nine levels grew to 2.3 GB); refused before anything expands it
    levels = ["&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    levels += [f"&a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 6)]
    path = tmp_path / "bomb.yaml"
    path.write_text("translation:\n  generation:\n    suppress_tokens: [" + ", ".join(levels) + "]\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="values"):
        load_config(path)
    big = tmp_path / "big.yaml"
    big.write_text("# " + "x" * (2 << 20) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="larger"):
        load_config(big)


@pytest.mark.parametrize("override, key", [("runtime.seed=-1", "runtime.seed"),
                                           (f"runtime.seed={2**64}", "runtime.seed"),
                                           (f"input.max_bytes={10**20}", "input.max_bytes"),
                                           (f"runtime.batch_size={10**30}", "runtime.batch_size")])
def test_edge_values_are_refused_naming_the_key_and_range(override, key):
    # item 15
    with pytest.raises(ConfigError) as caught:
        load_config(overrides=[override])
    assert key in str(caught.value) and "\n" not in str(caught.value)


def test_set_section_to_null_is_refused():
    # item 15: --set runtime=null silently reset the whole section
    with pytest.raises(ConfigError, match="runtime"):
        load_config({"runtime": {"device": "cpu"}}, overrides=["runtime=null"])
