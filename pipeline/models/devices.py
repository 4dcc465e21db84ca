"""Resolve `runtime.device` / `runtime.dtype` / `runtime.threads` once, at load time.

For the ctranslate2 backend, CTranslate2 itself says whether CUDA is there: its wheels carry their own CUDA
support, so a CPU-only torch next to them must not decide the device.
"""

from __future__ import annotations

import logging
from typing import Any, get_args

from pipeline.config import DEVICE_CHOICES, ConfigError, DType

log = logging.getLogger(__name__)

_DTYPES = tuple(name for name in get_args(DType) if name != "auto")


def _cuda_devices(backend: str) -> int:
    if backend == "ctranslate2":
        from pipeline.models.loading import import_ctranslate2

        return import_ctranslate2().get_cuda_device_count()
    import torch

    return torch.cuda.device_count() if torch.cuda.is_available() else 0


def _mps_available(backend: str) -> bool:
    if backend == "ctranslate2":
        return False
    import torch

    mps = getattr(torch.backends, "mps", None)
    return mps is not None and mps.is_available()


def resolve_device(name: str, backend: str = "transformers") -> str:
    """'auto' → 'cuda' if available, then 'mps', else 'cpu'; explicit choices are checked to exist."""
    if name == "auto":
        if _cuda_devices(backend):
            return "cuda"
        return "mps" if _mps_available(backend) else "cpu"
    if name.startswith("cuda"):
        count = _cuda_devices(backend)
        if not count:
            raise ConfigError(f"runtime.device {name!r}: CUDA is not available on this machine; "
                              f"expected {DEVICE_CHOICES} (use 'auto' or 'cpu')")
        index = int(name.split(":")[1]) if ":" in name else 0
        if index >= count:
            raise ConfigError(f"runtime.device {name!r}: this machine has {count} CUDA device(s), numbered from 0")
        return name
    if name == "mps" and not _mps_available(backend):
        raise ConfigError(f"runtime.device 'mps' is not available on this machine (or for the {backend} backend); "
                          f"expected {DEVICE_CHOICES}")
    return name


def resolve_dtype(name: str, device: str) -> Any:
    """'auto' → float32 on CPU and MPS; on CUDA bfloat16 where supported (no fp16 overflow), else float32."""
    import torch

    if name != "auto":
        if name not in _DTYPES:
            raise ConfigError(f"runtime.dtype {name!r}; expected 'auto' or one of {', '.join(_DTYPES)}")
        if device == "cpu" and name == "float16":
            log.warning("float16 on CPU is slow and poorly supported; consider float32 or bfloat16")
        return getattr(torch, name)
    if device.startswith("cuda") and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return torch.float32


def apply_threads(threads: int | None) -> int:
    """Set torch's intra-op CPU threads when configured; return the count in effect."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    return torch.get_num_threads()
