"""``backend: auto``, the default: CTranslate2 where it is importable and converts the model's family, decided
before anything is converted; transformers otherwise. The manifest says what ran, and resume compares it.
Also the load-time check's cap (issue 20): it generates a couple of tokens whatever the model's settings."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import TranslationConfig, load_config
from pipeline.models.factory import load_model, resolve_backend
from pipeline.models.generation import PROBE_NEW_TOKENS, PROBE_TEXT
from pipeline.run import main
from pipeline.runner.layout import journal_path, manifest_path
from tests.conftest import ROOT, SEEDS, records, tiny_config, write_config

AUTO = {"backend": "auto"}
ROLES = ("translation", "summarization")


def _auto_config(tiny_models, tmp_path, **sections):
    """The tiny models with the default backend (tiny_config pins transformers), converting into tmp_path."""
    sections = {"translation": AUTO, "summarization": AUTO, "runtime": {"cache_dir": str(tmp_path / "cache")},
                **sections}
    return tiny_config(tiny_models, tmp_path, **sections)


def test_auto_is_the_default_of_both_stages():
    config = load_config(None)
    assert config.translation.backend == config.summarization.backend == "auto"
    assert TranslationConfig().backend == "auto"


def test_auto_resolves_to_ctranslate2_for_families_it_converts_before_converting(tiny_models, tmp_path):
    pytest.importorskip("ctranslate2")
    config = _auto_config(tiny_models, tmp_path)
    for role in ("translation", "summarization"):
        assert resolve_backend(getattr(config, role), config.runtime, role)[0] == "ctranslate2"
    assert not (tmp_path / "cache").exists()  # decided from the checkpoint's files: nothing converted yet


def test_auto_resolves_to_transformers_for_led_without_converting(tiny_models, family_models, tmp_path):
    pytest.importorskip("ctranslate2")
    config = _auto_config(tiny_models, tmp_path, summarization={**AUTO, "model": str(family_models["led"])})
    backend, why = resolve_backend(config.summarization, config.runtime, "summarization")
    assert backend == "transformers" and "LED" in why
    model = load_model(config.summarization, config.runtime, "summarization")
    assert model.describe()["backend"] == "transformers"
    assert not (tmp_path / "cache").exists()  # no conversion was tried


def test_explicit_backends_keep_their_meaning(tiny_models, family_models, tmp_path):
    config = tiny_config(tiny_models, tmp_path, translation={"backend": "ctranslate2"},
                         summarization={"backend": "transformers"})
    assert resolve_backend(config.translation, config.runtime, "translation")[0] == "ctranslate2"
    assert resolve_backend(config.summarization, config.runtime, "summarization")[0] == "transformers"
    # LED with an explicit ctranslate2 is still refused (not silently run on transformers)
    led = tiny_config(tiny_models, tmp_path, summarization={"model": str(family_models["led"]),
                                                            "backend": "ctranslate2"})
    assert resolve_backend(led.summarization, led.runtime, "summarization")[0] == "ctranslate2"


def test_default_config_run_uses_ctranslate2_for_both_models_and_the_manifest_says_so(tiny_models, tmp_path):
    pytest.importorskip("ctranslate2")
    config = _auto_config(tiny_models, tmp_path)
    assert main([str(write_config(config, tmp_path / "c.yaml"))]) == 0
    out = Path(config.output.path)
    assert all(r["status"] == "ok" for r in records(out))
    models = json.loads(manifest_path(out).read_text())["models"]
    assert {models[role]["backend"] for role in ROLES} == {"ctranslate2"}
    assert all(models[role]["compute_type"] for role in ROLES)
    converted = sorted(p.name for p in (tmp_path / "cache" / "ct2").iterdir())
    # a second run reuses the converted copies
    config2 = _auto_config(tiny_models, tmp_path / "again")
    config2 = load_config(config2.to_dict(), overrides={"runtime": {"cache_dir": str(tmp_path / "cache")}})
    assert main([str(write_config(config2, tmp_path / "c2.yaml"))]) == 0
    assert sorted(p.name for p in (tmp_path / "cache" / "ct2").iterdir()) == converted


# Runs the CLI with ctranslate2 unimportable (a None entry in sys.modules makes `import ctranslate2` fail).
NO_CT2 = "import sys; sys.modules['ctranslate2'] = None; from pipeline.run import main; sys.exit(main(sys.argv[1:]))"


def test_without_ctranslate2_auto_falls_back_to_transformers(tiny_models, tmp_path):
    config = _auto_config(tiny_models, tmp_path)
    done = subprocess.run([sys.executable, "-c", NO_CT2, str(write_config(config, tmp_path / "c.yaml"))],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    out = Path(config.output.path)
    assert [r["status"] for r in records(out)] == ["ok"] * len(list(SEEDS.glob("*.txt")))
    models = json.loads(manifest_path(out).read_text())["models"]
    assert {models[role]["backend"] for role in ROLES} == {"transformers"}
    assert not (tmp_path / "cache").exists()
    # an explicit ctranslate2 without it is an error that says how to install it, not a silent fallback
    explicit = tiny_config(tiny_models, tmp_path / "explicit", translation={"backend": "ctranslate2"})
    done = subprocess.run([sys.executable, "-c", NO_CT2, str(write_config(explicit, tmp_path / "e.yaml"))],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and ".[fast]" in done.stderr


def test_resume_refuses_when_the_backend_that_ran_differs(tiny_models, tmp_path):
    """`backend: auto` leaves the config hash as it is when ctranslate2 is installed or removed between a kill and
    the resume: the run fingerprint (the backend that ran, per model) refuses the mix."""
    pytest.importorskip("ctranslate2")
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in sorted(SEEDS.glob("*.txt"))[:3]:
        shutil.copy(path, docs / path.name)
    config = _auto_config(tiny_models, tmp_path, input={"path": str(docs)},
                          runtime={"cache_dir": str(tmp_path / "cache"), "group_size": 1})
    config_path = write_config(config, tmp_path / "c.yaml")
    assert main([str(config_path)]) == 0
    out = Path(config.output.path)
    journal = journal_path(out)
    # as if killed after its first group (the later groups are redone on resume)...
    journal.write_bytes(journal.read_bytes().splitlines(keepends=True)[0])
    manifest = json.loads(manifest_path(out).read_text())
    manifest["state"] = "running"
    assert manifest["fingerprint"]["models"]["summarization"]["backend"] == "ctranslate2"
    # ...on a machine without ctranslate2: the same config resolved to transformers then
    manifest["fingerprint"]["models"]["summarization"]["backend"] = "transformers"
    manifest_path(out).write_text(json.dumps(manifest))
    before = out.read_bytes()
    assert main([str(config_path)]) == 2
    assert out.read_bytes() == before
    # with the facts as they were, the same resume goes ahead
    manifest["fingerprint"]["models"]["summarization"]["backend"] = "ctranslate2"
    manifest_path(out).write_text(json.dumps(manifest))
    assert main([str(config_path)]) == 0
    assert len(records(out)) == 3


# -- the load-time check's cap (issue 20) --------------------------------------------------------------------

LONG = {"num_beams": 4, "min_new_tokens": 40, "max_new_tokens": 48}


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_the_load_time_check_generates_a_couple_of_tokens_whatever_the_settings(tiny_models, tmp_path,
                                                                                 monkeypatch, backend):
    if backend == "ctranslate2":
        pytest.importorskip("ctranslate2")
        from pipeline.models.ct2.backend import CTranslate2Seq2Seq as Model
    else:
        from pipeline.models.hf.backend import TransformersSeq2Seq as Model
    seen = []
    real = Model.generate_batch

    def recording(self, texts, languages=None):
        out = real(self, texts, languages)
        seen.append((list(texts), [g.tokens for g in out]))
        return out

    monkeypatch.setattr(Model, "generate_batch", recording)
    config = tiny_config(tiny_models, tmp_path, summarization={"backend": backend, "generation": LONG},
                         runtime={"cache_dir": str(tmp_path / "cache")})
    model = load_model(config.summarization, config.runtime, "summarization")
    assert seen and seen[0][0] == [PROBE_TEXT]
    assert all(tokens <= PROBE_NEW_TOKENS + 1 for tokens in seen[0][1])  # + a forced EOS where the model has one
    # the loaded model keeps its own settings
    assert model.generate_batch([PROBE_TEXT])[0].tokens >= LONG["min_new_tokens"]
