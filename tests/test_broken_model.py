"""A model that fails every input the same way stops the run (exit 2, no records for documents it never
really tried); a document that fails alone still gets an error record (exit 1)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline.models.generation import BROKEN_AFTER, FailureWatch, Generated, ModelBrokenError, generate_all
from pipeline.models.hf.backend import TransformersSeq2Seq
from pipeline.run import main
from pipeline.runner.layout import manifest_path
from tests.conftest import SEEDS, records, tiny_config, write_config

DOCUMENTS = ("000_microsoft_doppelschlag.txt", "001_offshore_windpark.txt")


def _inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    for name in DOCUMENTS:
        shutil.copy(SEEDS / name, folder / name)
    return folder


def _fail_when(monkeypatch: pytest.MonkeyPatch, role: str, failing) -> None:
    """The ``role`` model raises on a batch when ``failing(texts)``; the other model and batches are real."""
    real = TransformersSeq2Seq.generate_batch

    def generate_batch(self, texts):
        if self.spec.role == role and failing(list(texts)):
            raise RuntimeError("probability tensor contains either inf, nan or element < 0")
        return real(self, texts)

    monkeypatch.setattr(TransformersSeq2Seq, "generate_batch", generate_batch)


def _run(tiny_models, tmp_path) -> tuple[int, Path]:
    config = tiny_config(tiny_models, tmp_path, input={"path": str(_inputs(tmp_path))})
    return main([str(write_config(config, tmp_path / "c.yaml"))]), Path(config.output.path)


@pytest.mark.parametrize("role", ["translation", "summarization"])
def test_a_model_that_fails_every_input_stops_the_run(tiny_models, tmp_path, monkeypatch, capsys, role):
    from pipeline.models.generation import PROBE_TEXT

    _fail_when(monkeypatch, role, lambda texts: texts != [PROBE_TEXT])  # loads, passes the probe, then fails
    status, output = _run(tiny_models, tmp_path)

    err = capsys.readouterr().err
    assert status == 2
    assert f"{role} model" in err and "probability tensor contains" in err
    assert not output.exists() or records(output) == []  # no error records for documents never really tried
    assert not manifest_path(output).exists()  # it stopped before its first record: nothing left behind


def test_a_model_that_cannot_generate_at_all_stops_at_load_time(tiny_models, tmp_path, monkeypatch, capsys):
    _fail_when(monkeypatch, "translation", lambda texts: True)
    status, output = _run(tiny_models, tmp_path)

    err = capsys.readouterr().err
    assert status == 2
    assert "cannot generate" in err and "probability tensor contains" in err
    assert not output.exists() and not manifest_path(output).exists()


def test_one_bad_document_among_good_ones_gets_an_error_record(tiny_models, tmp_path, monkeypatch, capsys):
    _fail_when(monkeypatch, "translation", lambda texts: any("Möwenbank" in text for text in texts))
    status, output = _run(tiny_models, tmp_path)

    by_id = {r["id"]: r for r in records(output)}
    assert status == 1
    assert [by_id[name.removesuffix(".txt")]["status"] for name in DOCUMENTS] == ["ok", "error"]
    assert "probability tensor contains" in by_id["001_offshore_windpark"]["error"]


class _Model:
    """A stand-in backend whose inputs ``bad`` fail (one token per character)."""

    max_input_tokens = 100

    def __init__(self, bad, message=lambda text: "broken"):
        self.bad, self.message = bad, message

    def count_tokens(self, texts):
        return [len(t) for t in texts]

    def generate_batch(self, texts):
        failing = [t for t in texts if self.bad(t)]
        if failing:
            raise ValueError(self.message(failing[0]))
        return [Generated(t.upper()) for t in texts]

    def describe(self):
        return {}


TEXTS = [f"segment {i}" for i in range(3 * BROKEN_AFTER)]


def test_the_watch_stops_at_the_limit_of_alike_failures():
    model = _Model(lambda t: True)
    with pytest.raises(ModelBrokenError, match=f"each of the {BROKEN_AFTER} inputs.*ValueError: broken"):
        generate_all(model, TEXTS, batch_size=4, watch=FailureWatch("model"))


def test_a_call_whose_inputs_all_failed_alike_stops_and_a_single_failure_does_not():
    model, watch = _Model(lambda t: True), FailureWatch("model")
    assert generate_all(model, TEXTS[:1], batch_size=4, watch=watch)[0].error == "ValueError: broken"
    with pytest.raises(ModelBrokenError, match="each of the 3 inputs"):
        generate_all(model, TEXTS[:2], batch_size=4, watch=watch)


@pytest.mark.parametrize("model", [
    _Model(lambda t: t != "segment 10"),  # something succeeded first (longest first, ties in input order)
    _Model(lambda t: True, message=lambda text: f"broken on {text}"),  # the failures differ: the inputs'
])
def test_failures_after_a_success_or_unlike_each_other_are_the_inputs(model):
    out = generate_all(model, TEXTS, batch_size=1, watch=FailureWatch("model"))
    assert sum(g.text is None for g in out) >= BROKEN_AFTER
    assert all(g.error for g in out if g.text is None)
