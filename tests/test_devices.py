"""runtime.device / runtime.dtype resolution: each backend asks its own engine what the machine has."""

from __future__ import annotations

import pytest

from pipeline.config import ConfigError
from pipeline.models.devices import resolve_device, resolve_dtype

BACKENDS = ["transformers", pytest.param("ctranslate2", marks=pytest.mark.skipif(
    not __import__("importlib").util.find_spec("ctranslate2"), reason="needs the [fast] extra"))]


@pytest.mark.parametrize("backend", BACKENDS)
def test_auto_and_cpu_resolve_on_a_cpu_machine(backend):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert resolve_device("cpu", backend) == "cpu"
    assert resolve_device("auto", backend) in {"cpu", "mps"}


@pytest.mark.parametrize("backend", BACKENDS)
def test_missing_cuda_is_a_config_error_naming_the_choices(backend):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ConfigError, match=r"runtime.device 'cuda:1'.*expected"):
        resolve_device("cuda:1", backend)


def test_ctranslate2_has_no_mps(monkeypatch):
    import torch

    pytest.importorskip("ctranslate2")
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert resolve_device("mps", "transformers") == "mps"
    with pytest.raises(ConfigError, match="mps"):
        resolve_device("mps", "ctranslate2")


def test_ctranslate2_is_asked_about_cuda_not_torch(monkeypatch):
    import torch

    ct2 = pytest.importorskip("ctranslate2")
    if ct2.get_cuda_device_count():
        pytest.skip("CTranslate2 sees a GPU here")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert resolve_device("cuda", "transformers") == "cuda"
    with pytest.raises(ConfigError, match="CUDA is not available"):
        resolve_device("cuda", "ctranslate2")


def test_dtype_auto_is_float32_on_cpu_and_names_are_checked():
    import torch

    assert resolve_dtype("auto", "cpu") is torch.float32
    assert resolve_dtype("bfloat16", "cpu") is torch.bfloat16
    with pytest.raises(ConfigError, match="float64.*bfloat16"):
        resolve_dtype("float64", "cpu")
