"""Shared fixtures: tiny random-weight Marian and BART checkpoints, built once per test session.

They have the same files as the real checkpoints and are loaded through the real code path
(`from_pretrained` on a folder). Their outputs are noise, so tests assert on behaviour, never on wording.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.config import Config, load_config
from scripts.make_tiny_models import TINY_BART, TINY_MARIAN, build_bart, build_marian
from scripts.tiny_families import FAMILY_BUILDERS, TINY_SHAPES
from scripts.tiny_instruct import build_instruct

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"

# Decoding kept short so the suite stays fast; everything else is the checkpoints' own settings.
FAST_TRANSLATION = {"max_new_tokens": 12}
FAST_SUMMARY = {"min_length": 0, "min_new_tokens": 4, "max_new_tokens": 12}
# the config section each tiny model belongs to
ROLES = {"marian": "translation", "bart": "summarization"}


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny checkpoints: real-size input limits, and 'short' ones (64 / 128 tokens) for long-input tests."""
    root = tmp_path_factory.mktemp("tiny-models")
    return {
        "marian": build_marian(root / "marian"),
        "bart": build_bart(root / "bart"),
        "marian_short": build_marian(root / "marian_short", dataclasses.replace(TINY_MARIAN, max_positions=64)),
        "bart_short": build_bart(root / "bart_short", dataclasses.replace(TINY_BART, max_positions=128)),
    }


@pytest.fixture(scope="session")
def family_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Tiny checkpoints of the other families (nllb, m2m100, mbart50, t5, pegasus, led), with the real
    checkpoints' files and input limits, and short-limit variants ('<family>_short': 64 tokens; LED keeps its
    16,384-token window) for long-input tests."""
    root = tmp_path_factory.mktemp("families")
    out = {name: build(root / name) for name, build in FAMILY_BUILDERS.items()}
    for name, build in FAMILY_BUILDERS.items():
        if name != "led":
            shape = dataclasses.replace(TINY_SHAPES[name], max_positions=64)
            out[name + "_short"] = build(root / (name + "_short"), shape)
    return out


@pytest.fixture(scope="session", autouse=True)
def _session_conversion_cache(tmp_path_factory: pytest.TempPathFactory):
    """Models converted to CTranslate2 without a ``runtime.cache_dir`` go to a folder of the test session, never
    to the user's ~/.cache (the default ``backend: auto`` converts), and so do weight digests."""
    from pipeline import hub

    real = hub.DEFAULT_CACHE
    hub.DEFAULT_CACHE = tmp_path_factory.mktemp("default-cache")
    yield
    hub.DEFAULT_CACHE = real


def tiny_config(models: dict[str, Path], tmp_path: Path, *, short: bool = False, **sections: Any) -> Config:
    """A config on the tiny models, writing into tmp_path; ``sections`` override like the YAML does.

    Both stages run the transformers backend unless ``sections`` say otherwise: the tests of the pipeline and
    the runner were written against it (they reach into its torch models); the default ``backend: auto`` has
    its own tests (tests/test_backend_choice.py), and tests/test_ct2.py runs the pipeline on CTranslate2."""
    suffix = "_short" if short else ""
    data: dict[str, Any] = {
        "input": {"path": str(SEEDS)},
        "output": {"path": str(tmp_path / "out" / "records.jsonl")},
        "translation": {"model": str(models["marian" + suffix]), "generation": dict(FAST_TRANSLATION),
                        "backend": "transformers"},
        "summarization": {"model": str(models["bart" + suffix]), "generation": dict(FAST_SUMMARY),
                          "backend": "transformers"},
        "runtime": {"device": "cpu", "progress": False, "group_size": 4, "batch_size": 16},
    }
    return load_config(data, overrides=sections or None)


def sharpen(models: dict[str, Path], names: Any, root: Path) -> dict[str, Path]:
    """Copies of ``models[name]`` whose outputs depend on the input (weights x 50; positions and T5's relative
    attention kept): plain tiny models give the same output for every input, which would blind equality tests."""
    from safetensors.torch import load_file, save_file

    out = {}
    for name in names:
        folder = root / name
        shutil.copytree(models[name], folder)
        weights = load_file(folder / "model.safetensors")
        scaled = {k: v * 50 if v.dim() == 2 and "embed_positions" not in k and "relative_attention" not in k
                  else v for k, v in weights.items()}
        save_file(scaled, folder / "model.safetensors", metadata={"format": "pt"})
        out[name] = folder
    return out


@pytest.fixture(scope="session")
def sharp_models(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sharpened copies (see :func:`sharpen`) of the tiny Marian and BART models."""
    return sharpen(tiny_models, ROLES, tmp_path_factory.mktemp("sharp"))


@pytest.fixture(scope="session")
def sharp_families(family_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Sharpened copies (see :func:`sharpen`) of every family's tiny model."""
    return sharpen(family_models, FAMILY_BUILDERS, tmp_path_factory.mktemp("sharp-families"))


@pytest.fixture(scope="session")
def tiny_pipeline(tiny_models: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    """One Pipeline on the tiny models (short input limits), shared by tests that only call it."""
    from pipeline.core import Pipeline

    return Pipeline(tiny_config(tiny_models, tmp_path_factory.mktemp("pipe"), short=True))


def fresh_copy(dest: Path) -> Path:
    """A fresh checkout of this repository at ``dest``: the files of the working tree that git tracks or would
    (uncommitted changes included), nothing it ignores (no models, outputs or caches)."""
    import subprocess

    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def write_config(config: Config, path: Path) -> Path:
    """Save a resolved config as YAML, for the command-line entry points."""
    path.write_text(yaml.safe_dump(config.to_dict(), allow_unicode=True), encoding="utf-8")
    return path


def records(path: Path) -> list[dict]:
    """The JSONL records of an output file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def squash(text: str) -> str:
    """Text without whitespace, to compare coverage 'whitespace aside'."""
    return "".join(text.split())


def seed_copies(folder: Path, copies: int) -> list[Path]:
    """A folder holding ``copies`` copies of every seed document (``<i>_<name>.txt``); returns the seeds."""
    folder.mkdir(parents=True, exist_ok=True)
    seeds = sorted(SEEDS.glob("*.txt"))
    for i in range(copies):
        for path in seeds:
            (folder / f"{i}_{path.name}").write_bytes(path.read_bytes())
    return seeds


@pytest.fixture(scope="session")
def instruct_models(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``instruct_models(family)``: the folder of a tiny instruct checkpoint (qwen2, qwen3, llama, gemma2, gemma3,
    mistral, phi3; see scripts/tiny_instruct.py), built on first use in this session."""
    root = tmp_path_factory.mktemp("instruct")
    built: dict[str, Path] = {}

    def get(family: str) -> Path:
        if family not in built:
            built[family] = build_instruct(family, root / family)
        return built[family]

    return get
