"""notebooks/quickstart.ipynb runs as shipped, top to bottom, in a real Jupyter kernel (nbclient + ipykernel), from
the notebooks/ folder of a fresh copy of the repository: its own first cell builds the tiny models. It shows what
it promises: the loading line, the result card, the progress bar, the DataFrame, results in order."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT, SEEDS, fresh_copy

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

NOTEBOOK = ROOT / "notebooks" / "quickstart.ipynb"
# third-party output that needs no action and must not reach the notebook
NOISE = re.compile(r"Loading weights|forced_bos_token_id|IProgress|\w+Warning:")


def test_quickstart_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(not cell.outputs and cell.execution_count is None for cell in code)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook after running it as shipped in a fresh copy of the repository, as {tag: outputs}."""
    root = fresh_copy(tmp_path_factory.mktemp("fresh") / "repo")
    assert not (root / "models").exists()  # the notebook builds its own models
    nb = nbformat.read(root / "notebooks" / "quickstart.ipynb", as_version=4)
    mp = pytest.MonkeyPatch()
    # the first call converts the models for CTranslate2 (backend: auto) into ~/.cache: not the user's
    mp.setenv("HOME", str(tmp_path_factory.mktemp("home")))
    try:
        client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                         resources={"metadata": {"path": str(root / "notebooks")}})
        client.execute()
    finally:
        mp.undo()
    assert (root / "models" / "tiny" / "marian" / "config.json").is_file()
    return {tag: cell.outputs for cell in nb.cells if cell.cell_type == "code"
            for tag in cell.metadata.get("tags", [])}


def _text(outputs) -> str:
    parts = []
    for out in outputs:
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.extend(str(v) for v in out.data.values())
        elif out.output_type == "error":
            parts.append("\n".join(out.traceback))
    return "\n".join(parts)


def test_quickstart_runs_quietly(executed):
    for tag, outputs in executed.items():
        assert not [o for o in outputs if o.output_type == "error"], (tag, _text(outputs))
        streams = "".join(o.text for o in outputs if o.output_type == "stream")
        assert not NOISE.search(streams), (tag, streams)


def test_quickstart_shows_the_loading_line_before_the_first_result(executed):
    text = _text(executed["card"])
    assert "loading models" in text or "models loaded" in text


def test_quickstart_shows_the_result_card(executed):
    (card,) = [o for o in executed["card"] if o.output_type == "execute_result"]
    assert 'class="dsr' in card.data["text/html"]  # the HTML card, not only the text repr
    assert "text/plain" in card.data
    assert "ok" in _text(executed["fields"])


def test_quickstart_shows_the_progress_bar(executed):
    documents = len(list(SEEDS.glob("*.txt")))
    outputs = executed["many"]
    widget = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    if not widget:  # without ipywidgets: the text bar on stderr, complete
        bar = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stderr")
        assert "100%" in bar and f"documents {documents}/{documents}" in bar and "doc/s" in bar
    (listing,) = [o for o in outputs if o.output_type == "execute_result"]
    assert listing.data["text/plain"].startswith("ResultList(")
    assert "<table" in listing.data["text/html"]  # a list of results renders as a table


def test_quickstart_shows_the_dataframe(executed):
    documents = len(list(SEEDS.glob("*.txt")))
    (table,) = [o for o in executed["table"] if o.output_type == "execute_result"]
    html = table.data["text/html"]
    assert "<table" in html and "summary" in html and "flag_count" in html
    assert html.count("<tr") == documents + 1  # header + one row per document
    (segments,) = [o for o in executed["segments"] if o.output_type == "execute_result"]
    assert "translation" in segments.data["text/html"] and segments.data["text/html"].count("<tr") == 6


def test_quickstart_streams_in_order(executed):
    lines = "".join(o.text for o in executed["stream"] if o.output_type == "stream" and o.name == "stdout").split("\n")
    assert [line.split()[:2] for line in lines if line] == [["0", "ok"], ["1", "ok"], ["2", "ok"]]
