"""The evaluation command: scores a run (or an existing output) against reference columns."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.evaluate import main
from pipeline.runner.layout import scores_path
from tests.conftest import ROOT, tiny_config, write_config

EVAL_SET = ROOT / "data" / "eval" / "de_en_news.jsonl"


def eval_rows() -> list[dict]:
    return [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines()]




def test_eval_set_has_references():
    rows = eval_rows()
    assert len(rows) >= 8
    assert all(r["text"] and r["reference_translation"] and r["reference_summary"] for r in rows)


def test_score_only_perfect_output_scores_100(tiny_models, tmp_path, capsys):
    config = tiny_config(tiny_models, tmp_path, input={"path": str(EVAL_SET)})
    output = Path(config.output.path)
    output.parent.mkdir(parents=True)
    records = [{"id": r["id"], "status": "ok", "translation": r["reference_translation"],
                "summary": r["reference_summary"]} for r in eval_rows()]
    output.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main([str(write_config(config, tmp_path / "c.yaml")), "--score-only"]) == 0
    scores = json.loads(scores_path(output).read_text())
    assert scores["translation"]["bleu"] == pytest.approx(100.0)
    assert scores["translation"]["chrf"] == pytest.approx(100.0)
    assert "nrefs:1" in scores["translation"]["bleu_signature"]
    for key in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
        assert scores["summary"][key] == pytest.approx(100.0)
    assert "BLEU" in capsys.readouterr().out


def test_failed_documents_score_as_empty(tiny_models, tmp_path):
    config = tiny_config(tiny_models, tmp_path, input={"path": str(EVAL_SET)})
    output = Path(config.output.path)
    output.parent.mkdir(parents=True)
    rows = eval_rows()
    records = [{"id": r["id"], "status": "ok", "translation": r["reference_translation"],
                "summary": r["reference_summary"]} for r in rows[1:]]
    records.insert(0, {"id": rows[0]["id"], "status": "error", "translation": None, "summary": None})
    output.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert main([str(write_config(config, tmp_path / "c.yaml")), "--score-only"]) == 0
    scores = json.loads(scores_path(output).read_text())
    assert scores["not_ok"] == [rows[0]["id"]]
    assert scores["translation"]["bleu"] < 100.0


def test_evaluate_runs_the_pipeline_then_scores(tiny_models, tmp_path):
    config = tiny_config(tiny_models, tmp_path, short=True, input={"path": str(EVAL_SET)})
    assert main([str(write_config(config, tmp_path / "c.yaml"))]) == 0
    scores = json.loads(scores_path(Path(config.output.path)).read_text())
    assert scores["documents"] == len(eval_rows())
    assert 0.0 <= scores["translation"]["bleu"] < 100.0  # random weights: noise, but scored
    assert set(scores["summary"]) >= {"rouge1", "rouge2", "rougeL", "rougeLsum"}


def test_missing_reference_column_is_a_usage_error(tiny_models, tmp_path, capsys):
    config = tiny_config(tiny_models, tmp_path, input={"path": str(EVAL_SET)},
                         evaluation={"reference_summary": "no_such_column"})
    assert main([str(write_config(config, tmp_path / "c.yaml")), "--score-only"]) == 2
    assert "no_such_column" in capsys.readouterr().err
