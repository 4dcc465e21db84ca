"""Read documents from a folder of .txt files, a .jsonl/.csv/.parquet file or a Hugging Face dataset.

Documents are streamed (never all in memory). Tables and datasets are read through the ``datasets`` library
in streaming mode; text files are read as bytes so that their encoding can be checked (``decoding``).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import InputConfig
from pipeline.decoding import binary_reason, decode_bytes

log = logging.getLogger(__name__)

TABLE_FORMATS = {".jsonl": "json", ".json": "json", ".csv": "csv", ".parquet": "parquet"}


class InputError(ValueError):
    """The configured input cannot be opened at all (a single bad document is a record, not this)."""


@dataclass(frozen=True)
class Document:
    # the document's id: file name without extension, the id column, or the row number
    id: str
    # the text; None when it could not be read (see error)
    text: str | None
    # why the document cannot be processed (binary, undecodable, wrong type); None when readable
    error: str | None = None
    # non-fatal notes from reading (e.g. read as Windows-1252)
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Source:
    # human-readable description of where documents come from
    description: str
    # number of documents when known cheaply, else None
    total: int | None
    options: InputConfig

    def __iter__(self) -> Iterator[Document]:
        return iter_documents(self.options)


def open_source(options: InputConfig) -> Source:
    """Check that the input exists and say how many documents it holds (when cheap to know)."""
    path = Path(options.path)
    if path.is_dir() and any(path.glob("*.txt")):
        return Source(f"folder {path} (.txt files)", sum(1 for _ in path.glob("*.txt")), options)
    if path.is_file():
        fmt = TABLE_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise InputError(
                f"input.path {str(path)!r}: unsupported file type {path.suffix!r}; expected a folder of .txt "
                f"files, {', '.join(sorted(TABLE_FORMATS))}, or a Hugging Face dataset name"
            )
        return Source(f"{fmt} file {path}", _count_rows(path, fmt), options)
    if path.suffix.lower() in TABLE_FORMATS or path.suffix.lower() == ".txt" or options.path.startswith((".", "/")):
        raise InputError(f"input.path {str(path)!r} does not exist")
    if path.is_dir():
        return Source(f"data folder {path}", None, options)
    return Source(f"dataset {options.path} [{options.split}]", None, options)


def _count_rows(path: Path, fmt: str) -> int | None:
    if fmt == "json":
        with path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.ParquetFile(path).metadata.num_rows
    if fmt == "csv":
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as fh:
            return max(sum(1 for _ in csv.reader(fh)) - 1, 0)
    return None


def iter_documents(options: InputConfig) -> Iterator[Document]:
    """Yield the documents of the configured input, in input order."""
    path = Path(options.path)
    if path.is_dir() and any(path.glob("*.txt")):
        yield from _iter_text_folder(path, options.encoding)
    else:
        yield from _iter_table(options)


def _iter_text_folder(folder: Path, encoding: str) -> Iterator[Document]:
    for file in sorted(folder.glob("*.txt")):
        try:
            data = file.read_bytes()
        except OSError as exc:
            yield Document(file.stem, None, error=f"cannot read {file.name}: {exc.strerror or exc}")
            continue
        decoded = decode_bytes(data, encoding)
        warnings = (decoded.warning,) if decoded.warning else ()
        yield Document(file.stem, decoded.text, error=decoded.error, warnings=warnings)


def row_id(row: dict[str, Any], row_number: int, id_column: str) -> str:
    """A table row's document id: its id column as text, or the row number when the column is absent."""
    raw = row.get(id_column)
    return str(row_number) if raw is None else str(raw)


def open_dataset(options: InputConfig) -> Any:
    """The table file or Hugging Face dataset of ``options``, streamed through ``datasets`` (all columns)."""
    from datasets import load_dataset

    path = Path(options.path)
    try:
        if path.is_file():
            fmt = TABLE_FORMATS[path.suffix.lower()]
            return load_dataset(fmt, data_files=str(path), split="train", streaming=True)
        return load_dataset(options.path, split=options.split, streaming=True)
    except Exception as exc:  # datasets raises many types for a missing/unreachable dataset
        raise InputError(
            f"input.path {options.path!r} (split {options.split!r}) could not be opened as a dataset: "
            f"{type(exc).__name__}: {exc}. Use a folder of .txt files, a .jsonl/.csv/.parquet file, or a "
            f"dataset in the local Hugging Face cache (HF_DATASETS_OFFLINE=1 on offline machines)"
        ) from None


def _iter_table(options: InputConfig) -> Iterator[Document]:
    dataset = open_dataset(options)
    columns = dataset.column_names
    if columns is not None and options.text_column not in columns:
        raise InputError(
            f"input.text_column {options.text_column!r} is not a column of {options.path!r}; "
            f"available columns: {', '.join(columns)}"
        )
    for row_number, row in enumerate(dataset):
        if options.text_column not in row:
            raise InputError(
                f"input.text_column {options.text_column!r} is not a column of {options.path!r}; "
                f"available columns: {', '.join(row)}"
            )
        doc_id = row_id(row, row_number, options.id_column)
        text = row[options.text_column]
        if text is None:
            yield Document(doc_id, "")
        elif not isinstance(text, str):
            yield Document(doc_id, None, error=f"text column holds {type(text).__name__}, not a string")
        else:
            reason = binary_reason(text)
            yield Document(doc_id, None if reason else text, error=reason)
