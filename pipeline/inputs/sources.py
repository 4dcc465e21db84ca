"""Read documents from a folder of .txt files, a .jsonl/.csv/.parquet file or a Hugging Face dataset.

What ``input.path`` is follows from what is there: an existing folder is read as .txt files, an existing file
by its extension, and a name that exists nowhere is a Hugging Face dataset only when it looks like one
(``owner/name``) or ``input.format: hf`` says so; anything else "does not exist". :func:`open_source` checks
this, and that the text column is there, before any model loads; every failure is an :class:`InputError`
of one line naming the path and the fix.

Documents are streamed (never all in memory) and every one becomes a :class:`Document`: one that cannot be
read carries the reason in ``error``, so it still gets its record. Text files are read through ``files``
(regular files inside the folder only, at most ``input.max_bytes``) and ``decoding``; JSONL one line at a
time (a bad line is one error record naming its line); CSV, Parquet and hub datasets through ``datasets``.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import InputConfig
from pipeline.inputs.decoding import (
    binary_reason,
    decode_bytes,
    escape_surrogates,
    replace_surrogates,
    surrogate_reason,
)
from pipeline.inputs.files import jsonl_lines, parse_json_line, read_entry, text_entries, too_large
from pipeline.results import Document

log = logging.getLogger(__name__)

# file extension → format ('.json' is JSON Lines unless the file is one JSON array)
FILE_FORMATS = {".jsonl": "jsonl", ".json": "jsonl", ".csv": "csv", ".parquet": "parquet"}
# a Hugging Face hub repository id: owner/name
HUB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*")
# JSONL lines read by open_source to check that the text field is there
SCAN_LINES = 1000
_KINDS = "a folder of .txt files, a .jsonl/.csv/.parquet file, or a Hugging Face dataset as owner/name"


class InputError(ValueError):
    """The configured input cannot be opened at all (a single bad document is a record, not this)."""


@dataclass(frozen=True)
class Source:
    # human-readable description of where documents come from
    description: str
    # number of documents when known cheaply, else None
    total: int | None
    options: InputConfig

    def __iter__(self) -> Iterator[Document]:
        return iter_documents(self.options)


# -- what input.path is ------------------------------------------------------------------------------------


def looks_like_hub_dataset(name: str) -> bool:
    """``owner/name`` that is not a file name (``data/docs.jsonl``) nor a path under an existing local folder."""
    owner = name.split("/", 1)[0]
    return (HUB_NAME.fullmatch(name) is not None and Path(name).suffix.lower() not in {*FILE_FORMATS, ".txt"}
            and not Path(owner).is_dir())


def resolve_format(options: InputConfig) -> str:
    """'txt', 'jsonl', 'json' (one JSON array), 'csv', 'parquet' or 'hf'; an InputError when the path does not
    exist (and is not a hub dataset by intent), or is of a kind that cannot be read."""
    path, fmt, shown = Path(options.path), options.format, repr(options.path)
    if fmt == "hf":
        return "hf"
    if not path.exists():
        if fmt == "auto" and looks_like_hub_dataset(options.path):
            return "hf"
        raise InputError(_missing(options.path))
    if path.is_dir():
        if fmt not in ("auto", "txt"):
            raise InputError(f"input.path {shown} is a folder, but input.format {fmt!r} reads one file; point "
                             f"input.path at the file, or set input.format: auto")
        return "txt"
    if fmt == "txt":
        raise InputError(f"input.path {shown} is a file, but input.format 'txt' reads a folder of .txt files; "
                         f"put the file in a folder and give the folder")
    if not path.is_file():
        raise InputError(f"input.path {shown} is not a regular file or a folder (a device or a pipe?); give {_KINDS}")
    if fmt != "auto":
        return fmt
    suffix = path.suffix.lower()
    if suffix == ".json" and _first_byte(path) == b"[":
        return "json"
    if suffix in FILE_FORMATS:
        return FILE_FORMATS[suffix]
    if suffix == ".txt":
        raise InputError(f"input.path {shown} is a single .txt file; put it in a folder (one .txt file per "
                         f"document) and set input.path to the folder")
    raise InputError(f"input.path {shown}: unsupported file type {suffix!r}; give {_KINDS} (or set input.format "
                     f"to jsonl, csv or parquet if that is what the file holds)")


def _missing(name: str) -> str:
    owner, named_file = name.split("/", 1)[0], Path(name).suffix.lower() in {*FILE_FORMATS, ".txt"}
    hint = ""
    if not named_file and HUB_NAME.fullmatch(name) and Path(owner).is_dir():
        hint = f" (the folder {owner!r} exists, so it is not read as a Hugging Face dataset; set input.format: hf " \
               f"if it is one)"
    elif not named_file and "/" not in name and "\\" not in name:
        hint = " (a Hugging Face dataset is named owner/name, or set input.format: hf)"
    return f"input.path {name!r} does not exist ({os.path.abspath(name)}){hint}; give {_KINDS}"


def _first_byte(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]


# -- open: check everything that can be checked before a model loads ---------------------------------------


def open_source(options: InputConfig) -> Source:
    """Check that the input exists, can be read and has the text column, and count its documents (when cheap).

    Raises InputError with a one-line message naming the path and the fix."""
    fmt = resolve_format(options)
    path, shown = Path(options.path), repr(options.path)
    if fmt == "txt":
        return Source(f"folder {path} (.txt files)", len(_text_folder_entries(options)), options)
    if fmt == "hf":
        return _hub_source(options)
    try:
        total = {"jsonl": _check_jsonl, "csv": _check_csv, "parquet": _check_parquet}.get(fmt, _no_count)(options)
    except OSError as exc:
        raise InputError(f"input.path {shown} cannot be read: {exc.strerror or exc}; check its permissions") from None
    if total == 0:
        raise InputError(f"input.path {shown} holds no documents (no rows); check that it is the right file")
    return Source(f"{fmt} file {path}", total, options)


def _text_folder_entries(options: InputConfig) -> list[Path]:
    folder, shown = Path(options.path), repr(options.path)
    try:
        entries = text_entries(folder)
        others = [] if entries else sorted(os.listdir(folder))
    except OSError as exc:
        raise InputError(f"input.path {shown} cannot be listed: {exc.strerror or exc}; check its permissions") \
            from None
    if entries:
        return entries
    if not others:
        raise InputError(f"input.path {shown} is an empty folder; put the documents in it as .txt files (one per "
                         f"document), or point input.path at a .jsonl/.csv/.parquet file")
    examples = ", ".join(escape_surrogates(name) for name in others[:3])
    raise InputError(f"input.path {shown} has no .txt files (it holds {len(others)} other entries, e.g. {examples}); "
                     f"put the documents in it as .txt files, point input.path at a .jsonl/.csv/.parquet file, or "
                     f"set input.format: hf to read it as a Hugging Face dataset folder")


def _columns_error(options: InputConfig, columns: Iterable[str], what: str = "column") -> InputError:
    found = ", ".join(str(c) for c in columns) or "none"
    return InputError(f"input.text_column {options.text_column!r} is not a {what} of {options.path!r} ({what}s: "
                      f"{found}); set input.text_column to the one holding the German text")


def _check_jsonl(options: InputConfig) -> int:
    """Count the non-blank lines; check that the first lines hold JSON objects and one has the text field."""
    total, parsed, fields = 0, 0, {}
    for number, line in jsonl_lines(Path(options.path), options.max_bytes):
        total += 1
        if total <= SCAN_LINES:
            row = parse_json_line(number, line, max_bytes=options.max_bytes, replace=True).row
            if row is not None:
                parsed += 1
                fields.update(dict.fromkeys(row))
    if total and not parsed:
        raise InputError(f"input.path {options.path!r}: none of its first {min(total, SCAN_LINES)} non-blank lines "
                         f"is a JSON object; a .jsonl file holds one object per line, e.g. "
                         f'{{"id": "a1", "text": "..."}}')
    if parsed and options.text_column not in fields:
        raise _columns_error(options, fields, "field")
    return total


def _csv_field_limit(max_bytes: int) -> None:
    """The csv module's field limit (128 KiB by default) raised to input.max_bytes: a larger cell is one row's
    error, a smaller one is read."""
    csv.field_size_limit(max(min(max_bytes + 1, sys.maxsize), csv.field_size_limit()))


def _csv_rows(reader: Any) -> Iterator[tuple[list[str] | None, str | None]]:
    """Each non-blank row of a csv reader, or (None, why) for a row it cannot read (the reader reads on)."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            why = "has a cell larger than input.max_bytes; not read (raise input.max_bytes to include it)" \
                if "field larger" in str(exc) else f"cannot be read as CSV: {exc}"
            yield None, f"line {reader.line_num} {why}"
            continue
        if row:  # blank lines are no rows
            yield row, None


def _check_csv(options: InputConfig) -> int:
    _csv_field_limit(options.max_bytes)
    try:
        with Path(options.path).open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(_csv_rows(reader), (None, None))[0]
            rows = sum(1 for _ in _csv_rows(reader))
    except UnicodeDecodeError as exc:
        raise InputError(f"input.path {options.path!r} is not valid UTF-8 ({exc.reason}); save the CSV as UTF-8") \
            from None
    except csv.Error as exc:
        raise InputError(f"input.path {options.path!r} cannot be read as CSV: {exc}") from None
    if header is not None and options.text_column not in header:
        raise _columns_error(options, header)
    return rows


def _check_parquet(options: InputConfig) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(options.path)
    except pa.ArrowException as exc:
        raise InputError(f"input.path {options.path!r} cannot be read as Parquet: {exc}") from None
    names = meta.schema_arrow.names
    if options.text_column not in names:
        raise _columns_error(options, names)
    return meta.metadata.num_rows


def _no_count(options: InputConfig) -> None:
    return None


def _hub_source(options: InputConfig) -> Source:
    local = Path(options.path).is_dir()
    if not local:
        _check_hub_reachable(options)
    dataset = open_dataset(options, "hf")
    columns = dataset.column_names
    if columns is None:  # features unknown until a row is read
        first = next(iter(dataset), None)
        if first is None:
            raise InputError(f"input.path {options.path!r} (split {options.split!r}) holds no documents")
        columns = list(first)
    if options.text_column not in columns:
        raise _columns_error(options, columns)
    where = f"dataset folder {options.path}" if local else f"dataset {options.path}"
    return Source(f"{where} [{options.split}]", None, options)


def _check_hub_reachable(options: InputConfig) -> None:
    """One quick probe instead of the hub client's retries: an unreachable hub is an error at once."""
    import datasets.config

    if datasets.config.HF_HUB_OFFLINE:
        return  # cache only: datasets answers at once
    from huggingface_hub import constants

    from pipeline.hub import hub_reachable

    if not hub_reachable():
        raise InputError(f"input.path {options.path!r} is read as a Hugging Face dataset, but the hub "
                         f"({constants.ENDPOINT}) cannot be reached; with the dataset in the local cache set "
                         f"HF_DATASETS_OFFLINE=1, or give a local folder or file")


def open_dataset(options: InputConfig, fmt: str | None = None) -> Any:
    """The table file or Hugging Face dataset of ``options``, streamed through ``datasets`` (all columns)."""
    from datasets import load_dataset

    fmt = fmt or resolve_format(options)
    try:
        if fmt == "hf":
            return load_dataset(options.path, split=options.split, streaming=True)
        builder = {"jsonl": "json", "json": "json", "csv": "csv", "parquet": "parquet"}[fmt]
        return load_dataset(builder, data_files=str(options.path), split="train", streaming=True)
    except Exception as exc:  # datasets raises many types for a missing/unreachable dataset
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise InputError(
            f"input.path {options.path!r} (split {options.split!r}) could not be opened as a dataset: "
            f"{type(exc).__name__}: {first}; give {_KINDS} in the local Hugging Face cache "
            f"(HF_DATASETS_OFFLINE=1 on offline machines)"
        ) from None


# -- iterate -------------------------------------------------------------------------------------------------


def iter_documents(options: InputConfig) -> Iterator[Document]:
    """Yield the documents of the configured input, in input order, one per file, line or row."""
    fmt = resolve_format(options)
    if fmt == "txt":
        yield from _iter_text_folder(options)
    elif fmt == "jsonl":
        yield from _iter_jsonl(options)
    elif fmt == "csv":
        yield from _iter_csv(options)
    else:
        yield from _iter_table(options, fmt)


def _file_id(entry: Path) -> tuple[str, str, tuple[str, ...]]:
    """(id, name to show, warnings) of a folder entry; a name that is not UTF-8 is written with \\x escapes."""
    try:
        name = os.fsencode(entry.name).decode("utf-8", "backslashreplace")
    except UnicodeError:
        name = escape_surrogates(entry.name)
    if name == entry.name:
        return entry.stem, name, ()
    return name[: -len(entry.suffix)], name, (f"the file name is not valid UTF-8; its id is written with escapes: "
                                              f"{name}",)


def _unique(doc_id: str, name: str, warnings: tuple[str, ...], seen: set[str]
            ) -> tuple[str, tuple[str, ...]]:
    """An id no earlier file of the folder has: ``a.txt`` and ``a.TXT``, or a name with invalid bytes and one
    spelling its escapes (``bad\\xff.txt``), would share one. The later file (in sorted order) gets its whole name,
    then a ``#N`` suffix, and a warning saying so."""
    wanted = doc_id
    for candidate in (doc_id, name, *(f"{name}#{n}" for n in range(2, len(seen) + 3))):
        if candidate not in seen:
            doc_id = candidate
            break
    seen.add(doc_id)
    if doc_id != wanted:
        warnings += (f"another file of the folder has the id {wanted!r}; this one's id is {doc_id!r}",)
    return doc_id, warnings


def _iter_text_folder(options: InputConfig) -> Iterator[Document]:
    folder = Path(options.path)
    root = folder.resolve()
    seen: set[str] = set()
    for entry in text_entries(folder):
        doc_id, name, warnings = _file_id(entry)
        doc_id, warnings = _unique(doc_id, name, warnings, seen)
        read = read_entry(entry, root, options.max_bytes)
        if read.data is None:
            yield Document(doc_id, None, error=f"{name} {read.error}", warnings=warnings)
            continue
        decoded = decode_bytes(read.data, options.encoding, options.decode_errors)
        warnings += (decoded.warning,) if decoded.warning else ()
        yield Document(doc_id, decoded.text, error=decoded.error, warnings=warnings)


def _iter_jsonl(options: InputConfig) -> Iterator[Document]:
    replace = options.decode_errors == "replace"
    for row_number, (number, line) in enumerate(jsonl_lines(Path(options.path), options.max_bytes)):
        try:
            parsed = parse_json_line(number, line, max_bytes=options.max_bytes, replace=replace)
            if parsed.row is None:
                yield Document(str(row_number), None, error=parsed.error)
                continue
            warnings = (parsed.warning,) if parsed.warning else ()
            doc = row_document(parsed.row, row_number, options, where=f"line {number}", warnings=warnings)
        except Exception as exc:  # one line never stops the run: it is that line's error record
            doc = Document(str(row_number), None, error=f"line {number} cannot be read: {type(exc).__name__}: "
                                                        f"{str(exc)[:200]}")
        yield doc


def _iter_csv(options: InputConfig) -> Iterator[Document]:
    """A CSV file row by row with the csv module (every cell a string, an empty one an empty text): a row that
    cannot be read, or has more cells than the header, is that row's error record."""
    _csv_field_limit(options.max_bytes)
    with Path(options.path).open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        rows = _csv_rows(reader)
        header = next(rows, (None, None))[0] or []
        if options.text_column not in header:
            raise _columns_error(options, header)
        for row_number, (row, problem) in enumerate(rows):
            where = f"row {row_number} (line {reader.line_num})"
            try:
                if row is None:
                    yield Document(str(row_number), None, error=f"row {row_number}: {problem}")
                    continue
                if len(row) > len(header):
                    values = dict(zip(header, row, strict=False))
                    yield Document(row_id(values, row_number, options.id_column), None,
                                   error=f"{where} has {len(row)} fields, the header {len(header)}; fix the row "
                                         f"(a comma in an unquoted text?)")
                    continue
                values = {name: (row[i] if i < len(row) and row[i] != "" else None) for i, name in enumerate(header)}
                yield row_document(values, row_number, options, where=where, null_is_empty=True)
            except Exception as exc:  # one row never stops the run
                yield Document(str(row_number), None, error=f"{where} cannot be read: {type(exc).__name__}: "
                                                            f"{str(exc)[:200]}")


def _iter_table(options: InputConfig, fmt: str) -> Iterator[Document]:
    dataset = open_dataset(options, fmt)
    columns = dataset.column_names
    if columns is not None and options.text_column not in columns:
        raise _columns_error(options, columns)
    for row_number, row in enumerate(dataset):
        # a CSV cannot say null: its empty cells (read as None) are empty texts
        yield row_document(row, row_number, options, where=f"row {row_number}", null_is_empty=fmt == "csv")


def row_id(row: Mapping[str, Any], row_number: int, id_column: str) -> str:
    """A table row's document id: its id column as text, or the row number when the column is absent."""
    raw = row.get(id_column)
    return str(row_number) if raw is None else str(raw)


def row_document(row: Mapping[str, Any], row_number: int, options: InputConfig, *, where: str,
                 null_is_empty: bool = False, warnings: tuple[str, ...] = ()) -> Document:
    """The Document of one table row or JSONL object: its id, and its text or why there is none."""
    raw_id = row_id(row, row_number, options.id_column)
    doc_id = escape_surrogates(raw_id)
    if doc_id != raw_id:
        warnings += (f"the id is not valid Unicode; it is written with \\u escapes: {doc_id}",)
    column = options.text_column
    text = row.get(column)
    if text is None and not null_is_empty:
        state = "is null" if column in row else "is missing"
        return Document(doc_id, None, error=f"no text: {where}: the field {column!r} {state}", warnings=warnings)
    text = "" if text is None else text
    if not isinstance(text, str):
        return Document(doc_id, None, error=f"{where}: the field {column!r} holds {type(text).__name__}, not a string",
                        warnings=warnings)
    if len(text) > options.max_bytes or (len(text) * 4 > options.max_bytes and
                                         len(text.encode("utf-8", "surrogatepass")) > options.max_bytes):
        size = len(text.encode("utf-8", "surrogatepass"))
        return Document(doc_id, None, error=f"{where}: the text is {too_large(size, options.max_bytes)}",
                        warnings=warnings)
    reason = surrogate_reason(text)
    if reason and options.decode_errors == "replace":
        text, count = replace_surrogates(text)
        warnings += (f"{count} lone surrogate(s) replaced by U+FFFD (input.decode_errors: replace)",)
    elif reason:
        return Document(doc_id, None, error=f"{where}: the text is {reason}", warnings=warnings)
    reason = binary_reason(text)
    return Document(doc_id, None if reason else text, error=reason, warnings=warnings)
