"""What decides the outputs besides the config: the fingerprint a run records and a resume must match.

The config hash covers the settings; the fingerprint covers the facts they resolve to on this machine: each
model's weights (the hub commit, or a digest of a local folder's weight, tokenizer and config files), the
libraries that generate (torch, transformers, ctranslate2, tokenizers, sentencepiece), and, per model, the
backend, device type and precision actually used. Records made under one fingerprint are never continued
under another: the same command refuses, naming what changed (:func:`fingerprint_differences`).

Only resolved facts are compared, never how they were asked for: ``device: auto`` and ``device: cpu`` that both
resolve to the CPU agree; batch sizes, threads and the progress bar are not part of the fingerprint.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pipeline.config import Config

# the libraries whose versions can change a generated token
GENERATING = ("torch", "transformers", "ctranslate2", "tokenizers", "sentencepiece")
ROLES = ("translation", "summarization")


def model_source(described: dict[str, Any]) -> str | None:
    """The identity of a checkpoint's weights: ``commit:<sha>`` of a hub model, ``sha256:<digest>`` of a folder."""
    if described.get("weights_sha256"):
        return f"sha256:{described['weights_sha256']}"
    if described.get("commit"):
        return f"commit:{described['commit']}"
    return None


def _device_type(device: Any) -> Any:
    """``cuda:1`` and ``cuda`` are the same kind of device: the outputs do not depend on the index."""
    return device.split(":")[0] if isinstance(device, str) else device


def model_facts(described: dict[str, Any]) -> dict[str, Any]:
    """The resolved facts of one loaded model (from its ``describe()``) that decide its outputs."""
    precision = described.get("compute_type") if described.get("backend") == "ctranslate2" else \
        described.get("dtype")
    return {"source": model_source(described), "backend": described.get("backend"),
            "device": _device_type(described.get("device")), "precision": precision,
            "quantized": bool(described.get("quantized_int8"))}


def fingerprint(models: dict[str, Any] | None, versions: dict[str, Any]) -> dict[str, Any]:
    """The fingerprint of a run with the loaded ``models`` (an engine's ``describe()``) and library ``versions``."""
    out: dict[str, Any] = {"libraries": {name: versions.get(name) for name in GENERATING}}
    if models:
        out["models"] = {role: model_facts(models[role]) for role in ROLES if isinstance(models.get(role), dict)}
    return out


def static_fingerprint(config: Config, versions: dict[str, Any]) -> dict[str, Any]:
    """The part of the fingerprint known without loading a model (weights and libraries): what an "already
    complete" run is checked against, so that it stays instant."""
    from pipeline.hub import model_provenance

    models = {}
    for role in ROLES:
        section = getattr(config, role)
        described = model_provenance(section.model, section.revision, cache_dir=config.runtime.cache_dir)
        models[role] = {"source": model_source(described)}
    return {"libraries": {name: versions.get(name) for name in GENERATING}, "models": models}


def fingerprint_differences(old: dict[str, Any] | None, new: dict[str, Any]) -> list[str]:
    """What differs between the fingerprint a run recorded (``old``) and this one (``new``), as
    ``'key: old → new'``; only the facts ``new`` holds are compared (a static fingerprint has no devices)."""
    if not isinstance(old, dict):
        return ["fingerprint: none recorded (written by an older version) → " + _short(new)]
    out = []
    for name, version in new.get("libraries", {}).items():
        before = (old.get("libraries") or {}).get(name)
        if before != version:
            out.append(f"library {name}: {before} → {version}")
    old_models = old.get("models") or {}
    for role, facts in (new.get("models") or {}).items():
        before = old_models.get(role) if isinstance(old_models.get(role), dict) else {}
        for key, value in facts.items():
            if before.get(key) != value:
                what = "weights" if key == "source" else key
                out.append(f"{role} {what}: {before.get(key)} → {value}")
    return out


def workers_differences(workers: list[dict[str, Any]]) -> list[str]:
    """Workers (Ray actors) whose models resolved differently from the first one's, named by index."""
    first = workers[0] if workers else {}
    return [f"worker {i}: {fingerprint_differences(first, w)}" for i, w in enumerate(workers[1:], 1)
            if fingerprint_differences(first, w)]


def fingerprint_digest(fp: dict[str, Any]) -> str:
    """A short digest of a fingerprint (mixed into checkpoint keys)."""
    return hashlib.sha256(json.dumps(fp, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _short(fp: dict[str, Any]) -> str:
    return json.dumps(fp, sort_keys=True, default=str)[:200]
