"""The conversion cache: a checkpoint converted to CTranslate2's format once, reused by later runs.

A hub id or a local checkpoint folder is converted on first use with
``ctranslate2.converters.TransformersConverter`` into ``<cache>/ct2/<name>-<weights>-<key>/`` where
``<cache>`` is ``runtime.cache_dir`` or ``~/.cache/de-en-summarize`` and ``<key>`` digests the model id,
revision and resolved commit (hub) or the folder's file digest and its weight files' sizes and mtimes (local
folder), the stored weight type and the CTranslate2 major version. Two runs that start at once both convert
into a private temporary folder beside the target and rename it into place; rename is atomic, and the loser
deletes its copy and uses the winner's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from pipeline.hub import default_cache_dir, hub_reachable, model_provenance
from pipeline.models.ct2.families import converter as family_converter
from pipeline.models.ct2.families import refuse_unconvertible
from pipeline.models.loading import (
    check_family,
    load_error,
)
from pipeline.models.spec import ModelSpec

log = logging.getLogger(__name__)
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".h5", ".msgpack")
# transformers' empty-weights loading (low_cpu_mem_usage) patches torch globally: one conversion per process
# at a time (runs in other processes are kept apart by the atomic rename)
_CONVERTING = threading.Lock()



# -- conversion cache -----------------------------------------------------------------------------------


def is_converted(folder: Path) -> bool:
    """True when ``folder`` holds a CTranslate2 model."""
    return (folder / "model.bin").is_file() and (folder / "config.json").is_file()


def cache_root(cache_dir: str | None) -> Path:
    """Where converted models live: ``<runtime.cache_dir or ~/.cache/de-en-summarize>/ct2``."""
    return (Path(cache_dir).expanduser() if cache_dir else default_cache_dir()) / "ct2"


def stored_weights(compute_type: str) -> str:
    """The weight type a converted copy is stored in for ``compute_type`` (already resolved, not 'auto').

    All int8 compute types share one int8 copy; 'default' and float32 use the float32 copy. Loading a
    float32 copy with an int8 compute type also works, but reads the whole float32 file first: for
    a distilbart-cnn-12-6-sized model that peaks at 1.5 GB instead of 0.64 GB and loads in 3.3 s, not 0.8 s.
    """
    if compute_type.startswith("int8"):
        return "int8"
    return "float32" if compute_type == "default" else compute_type


def _source_identity(spec: ModelSpec, stored: str) -> dict[str, Any] | None:
    """What the converted copy depends on; None for a hub model not yet in the local cache (commit unknown)."""
    prov = model_provenance(spec.name, spec.revision)
    path = Path(spec.name)
    if path.is_dir():
        weights = sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in path.iterdir()
                         if f.is_file() and f.name.endswith(_WEIGHT_SUFFIXES))
        prov = {"files_sha256": prov["files_sha256"], "weights": weights}
    elif prov.get("commit") is None:
        return None
    import ctranslate2

    major = ctranslate2.__version__.split(".")[0]
    return {**prov, "model": spec.name, "stored": stored, "ctranslate2": major}


def _folder_name(spec: ModelSpec, identity: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(spec.name).name if Path(spec.name).is_dir() else spec.name)
    return f"{slug[-60:]}-{identity['stored']}-{digest}"


def convert_checkpoint(spec: ModelSpec, out_dir: Path, stored: str) -> None:
    """Convert ``spec``'s checkpoint into the empty folder ``out_dir`` with ``stored`` weights; the tokenizer,
    generation config and model config go into ``out_dir/hf`` so that the folder is complete without the
    original checkpoint."""
    from transformers import AutoConfig, AutoTokenizer, GenerationConfig

    source, revision = spec.name, spec.revision
    try:
        if not Path(spec.name).is_dir() and not hub_reachable():
            # convert the cached snapshot (a folder) rather than let transformers retry the hub per file
            from huggingface_hub import snapshot_download

            source, revision = snapshot_download(spec.name, revision=spec.revision, local_files_only=True), None
        tokenizer = AutoTokenizer.from_pretrained(source, revision=revision)
        generation = GenerationConfig.from_pretrained(source, revision=revision)
        config = AutoConfig.from_pretrained(source, revision=revision)
    except (OSError, ValueError) as exc:
        raise load_error(spec, exc) from None
    # an architecture the product does not know, or a family CTranslate2 cannot convert, stops here
    refuse_unconvertible(check_family(spec, config, tokenizer), spec.role, spec.name, config)
    log.info("converting %s to CTranslate2 (%s weights; once: later runs reuse the copy)", spec.name, stored)
    converter = family_converter(source, revision, int(config.vocab_size))
    with _CONVERTING:
        converter.convert(str(out_dir), quantization=None if stored == "float32" else stored, force=True)
    hf = out_dir / "hf"
    tokenizer.save_pretrained(hf)
    generation.save_pretrained(hf)
    config.save_pretrained(hf)


def _remove_stale_temps(root: Path, max_age_s: float = 86400.0) -> None:
    """Delete temporary folders left by conversions that were killed more than a day ago."""
    for temp in root.glob(".converting-*"):
        try:
            if time.time() - temp.stat().st_mtime > max_age_s:
                shutil.rmtree(temp, ignore_errors=True)
        except OSError:
            pass


def ensure_converted(spec: ModelSpec, root: Path, stored: str) -> Path:
    """The converted folder for ``spec`` with ``stored`` weights under ``root``: reused when present, else
    converted (race-safe)."""
    identity = _source_identity(spec, stored)
    if identity is not None:
        target = root / _folder_name(spec, identity)
        if is_converted(target):
            log.info("using the converted model in %s", target)
            return target
    root.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(root)
    temp = Path(tempfile.mkdtemp(dir=root, prefix=".converting-"))
    try:
        started = time.perf_counter()
        convert_checkpoint(spec, temp, stored)
        identity = _source_identity(spec, stored) or {"model": spec.name, "revision": spec.revision,
                                                      "stored": stored}
        target = root / _folder_name(spec, identity)
        (temp / "provenance.json").write_text(json.dumps(identity, indent=2, default=str) + "\n",
                                              encoding="utf-8")
        try:
            os.rename(temp, target)
        except OSError:
            if not is_converted(target):
                raise
            log.info("another run converted %s first; using its copy in %s", spec.name, target)
        else:
            log.info("converted %s to CTranslate2 in %.1f s, into %s", spec.name, time.perf_counter() - started,
                     target)
    finally:
        if temp.exists():
            shutil.rmtree(temp, ignore_errors=True)
    return target
