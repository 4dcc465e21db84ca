"""Resolve `runtime.device` / `runtime.dtype` / `runtime.threads` once, at load time."""

from __future__ import annotations

import logging

import torch

from pipeline.config import DEVICE_CHOICES, ConfigError

log = logging.getLogger(__name__)

_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


def resolve_device(name: str) -> str:
    """'auto' → 'cuda' if available, then 'mps', else 'cpu'; explicit choices are checked to exist."""
    if name == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        return "mps" if mps is not None and mps.is_available() else "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ConfigError(f"runtime.device {name!r}: CUDA is not available on this machine; "
                              f"expected {DEVICE_CHOICES} (use 'auto' or 'cpu')")
        index = int(name.split(":")[1]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise ConfigError(f"runtime.device {name!r}: this machine has {torch.cuda.device_count()} CUDA "
                              f"device(s), numbered from 0")
        return name
    if name == "mps":
        mps = getattr(torch.backends, "mps", None)
        if mps is None or not mps.is_available():
            raise ConfigError(f"runtime.device 'mps' is not available on this machine; expected {DEVICE_CHOICES}")
    return name


def resolve_dtype(name: str, device: str) -> torch.dtype:
    """'auto' → float32 on CPU and MPS; on CUDA bfloat16 where supported (no fp16 overflow), else float32."""
    if name != "auto":
        if device == "cpu" and name == "float16":
            log.warning("float16 on CPU is slow and poorly supported; consider float32 or bfloat16")
        return _DTYPES[name]
    if device.startswith("cuda") and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float32


def apply_threads(threads: int | None) -> int:
    """Set torch's intra-op CPU threads when configured; return the count in effect."""
    if threads is not None:
        torch.set_num_threads(threads)
    return torch.get_num_threads()


def dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")
