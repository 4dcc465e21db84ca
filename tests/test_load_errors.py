"""What a model that cannot be loaded says: a missing local folder is said so (no download advice); a hub id
offline names the download script and the tiny-model route, and advises only switches that are not set. Relative
model paths in a config file are also looked up beside it."""

from __future__ import annotations

import pytest
import yaml

from pipeline.config import load_config
from pipeline.models import loading
from pipeline.models.spec import ModelSpec


def spec(name: str) -> ModelSpec:
    return ModelSpec("translation", name, None, {}, None)


@pytest.fixture
def offline(monkeypatch):
    from huggingface_hub import constants

    def set_offline(value: bool) -> None:
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", value)
        monkeypatch.setattr(loading, "hub_reachable", lambda: False)

    return set_offline


@pytest.mark.parametrize("name", ["models/tiny/marian", "./marian", "../x/marian", "/no/such/marian"])
def test_a_missing_local_path_is_said_so_without_download_advice(name, offline, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    offline(False)
    message = str(loading.load_error(spec(name), OSError("not found")))
    assert name in message and "does not exist" in message
    assert "download_models" not in message and "HF_HUB_OFFLINE" not in message


def test_an_owner_that_is_a_local_folder_makes_the_name_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert not loading.looks_local("Helsinki-NLP/opus-mt-de-en")
    (tmp_path / "models").mkdir()
    assert loading.looks_local("models/marian")


@pytest.mark.parametrize("already_offline", [True, False])
def test_a_hub_id_offline_names_the_ways_on_and_only_switches_not_set(already_offline, offline):
    offline(already_offline)
    message = str(loading.load_error(spec("Helsinki-NLP/opus-mt-de-en"), OSError("offline")))
    assert "download_models.py" in message and "make_tiny_models.py" in message and "configs/tiny.yaml" in message
    assert ("set HF_HUB_OFFLINE=1" in message) is not already_offline


def test_relative_model_paths_in_a_config_file_are_found_beside_it(tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / "configs").mkdir(parents=True)
    (project / "models" / "marian").mkdir(parents=True)
    (project / "configs" / "local").mkdir()
    config = project / "configs" / "tiny.yaml"
    config.write_text(yaml.safe_dump({"translation": {"model": "models/marian"},
                                      "summarization": {"model": "local"}, "input": {"path": "seeds"}}))
    elsewhere = project / "notebooks"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    loaded = load_config("../configs/tiny.yaml")
    assert loaded.translation.model == str(project / "models" / "marian")  # from the folder above the config's
    assert loaded.summarization.model == str(project / "configs" / "local")  # from the config's folder
    assert loaded.input.path == "seeds"  # found nowhere: left as written (reported where it is used)
    monkeypatch.chdir(project)
    assert load_config("configs/tiny.yaml").translation.model == "models/marian"  # exists from the cwd
