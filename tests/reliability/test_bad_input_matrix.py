# ruff: noqa: E501  (the case table reads best as one case per line)
"""Every kind of bad input, for every input table, read from real files the way a job reads them.

`CASES` is the table of cases and outcomes; `bad_input.md` next to this file renders it for
readers, and a test keeps the two equal. An outcome is one of:

- `stops: <text>`: the job stops before any work; the message names table, column and rows;
- `rejects: <reason>`: the row lands in `rejects` with that reason, the other rows are kept;
- `kept`: the row is valid and kept.

Events and scores that name unknown items or keyphrases are checked the way build_pairs does,
against the validated catalog.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from kpreco import inputs
from kpreco.contract import SEARCH_EVENTS, SEARCH_RELEVANCE
from kpreco.inputs import load_inputs
from kpreco.log import StageRecord
from kpreco.validate import ContractViolation, split_unknown_references
from tests.conftest import make_test_config

TABLE_DOC = Path(__file__).with_name("bad_input.md")
LONG_TITLE = "Sofa " * 2_000  # 10,000 characters
GOOD = {
    "items": ["item_id,title,category", "i1,Norvik Leather Sofa,furniture", "i2,Brass Lamp,home"],
    "keyphrases": ["keyphrase,search_count", "leather sofa,10", "lamp,5"],
    "search_events": [
        "event_date,item_id,keyphrase,clicked,position",
        "2026-10-01,i1,leather sofa,1,1",
        "2026-10-01,i2,lamp,0,2",
    ],
    "search_relevance": ["item_id,keyphrase,sr_score", "i1,leather sofa,0.9", "i2,lamp,0.7"],
    "human_labels": ["item_id,keyphrase,label", "i1,leather sofa,3", "i2,lamp,2"],
}
TABLES = tuple(GOOD)
REFERENCING = ("search_events", "search_relevance")


@dataclass(frozen=True)
class Case:
    table: str
    case: str
    lines: tuple[str, ...]  # the CSV: header, then rows (the good rows are used when absent)
    outcome: str
    header: str | None = None  # replaces the header (schema cases)
    raw: bytes | None = None  # a row appended as raw bytes (invalid UTF-8)
    empty: bool = False  # the table has a header and no rows


# fmt: off
CASES: tuple[Case, ...] = (
    # items
    Case("items", "missing column `title`", (), "stops: required column 'title' is missing", "item_id,name"),
    Case("items", "null title", ("i9,,x",), "rejects: title: null"),
    Case("items", "empty title (`\"\"` in CSV reads as null)", ('i9,"",x',), "rejects: title: null"),
    Case("items", "whitespace-only title", ('i9,"\t  ",x',), "rejects: title: empty or whitespace-only"),
    Case("items", "10,000-character title", (f"i9,{LONG_TITLE},x",), "rejects: title: longer than"),
    Case("items", "control character in title", ("i9,Sofa\x07 bell,x",), "rejects: title: control characters"),
    Case("items", "invalid UTF-8 in title", (), "rejects: title: invalid UTF-8", raw=b"i9,Sofa \xff\xfe bed,x\n"),
    Case("items", "emoji in title", ("i9,Cosy Sofa \U0001f6cb\ufe0f,x",), "kept"),
    Case("items", "right-to-left title", ("i9,\u05e1\u05e4\u05d4 \u05e2\u05d5\u05e8,x",), "kept"),
    Case("items", "duplicate item_id", ("i1,Another Sofa,furniture",), "rejects: duplicate key (item_id)"),
    Case("items", "negative price", (), "rejects: price: below 0", "item_id,title,price"),
    Case("items", "empty table", (), "stops: has 0 rows", empty=True),
    # keyphrases
    Case("keyphrases", "missing column `keyphrase`", (), "stops: required column 'keyphrase' is missing", "phrase,search_count"),
    Case("keyphrases", "null keyphrase", (",3",), "rejects: keyphrase: null"),
    Case("keyphrases", "whitespace-only keyphrase", ('"   ",3',), "rejects: keyphrase: empty or whitespace-only"),
    Case("keyphrases", "punctuation only", ('"!!!",3',), "rejects: keyphrase: empty after normalisation"),
    Case("keyphrases", "10,000-character keyphrase", (f"{LONG_TITLE},3",), "rejects: keyphrase: longer than"),
    Case("keyphrases", "control character", ("lamp\x1b[31m,3",), "rejects: keyphrase: control characters"),
    Case("keyphrases", "invalid UTF-8", (), "rejects: keyphrase: invalid UTF-8", raw=b"l\xc3amp shade,3\n"),
    Case("keyphrases", "emoji keyphrase", ("sofa \U0001f6cb\ufe0f,3",), "kept"),
    Case("keyphrases", "right-to-left keyphrase", ("\u0623\u0631\u064a\u0643\u0629,3",), "kept"),
    Case("keyphrases", "duplicate after normalisation", ("Leather  SOFA,4",), "rejects: duplicate key (keyphrase)"),
    Case("keyphrases", "search_count not a number", ("rug,many",), "rejects: search_count: unparseable value"),
    Case("keyphrases", "empty table", (), "stops: has 0 rows", empty=True),
    # search_events
    Case("search_events", "missing column `clicked`", (), "stops: required column 'clicked' is missing", "event_date,item_id,keyphrase"),
    Case("search_events", "clicked = 2", ("2026-10-01,i1,lamp,2,1",), "rejects: clicked: not one of 0/1"),
    Case("search_events", "clicked = -1", ("2026-10-01,i1,lamp,-1,1",), "rejects: clicked: not one of 0/1"),
    Case("search_events", "clicked = yes", ("2026-10-01,i1,lamp,yes,1",), "rejects: clicked: unparseable value"),
    Case("search_events", "clicked = 0.5", ("2026-10-01,i1,lamp,0.5,1",), "rejects: clicked: not an integer"),
    Case("search_events", "null item_id", ("2026-10-01,,lamp,0,1",), "rejects: item_id: null"),
    Case("search_events", "unparseable date", ("yesterday,i1,lamp,0,1",), "rejects: event_date: unparseable value"),
    Case("search_events", "position 0", ("2026-10-01,i1,lamp,0,0",), "rejects: position: below 1"),
    Case("search_events", "unknown item", ("2026-10-01,i404,lamp,1,1",), "rejects: item_id: unknown item_id"),
    Case("search_events", "unknown keyphrase", ("2026-10-01,i1,teapot,1,1",), "rejects: keyphrase: unknown keyphrase"),
    Case("search_events", "duplicate impression rows", ("2026-10-01,i1,leather sofa,1,1",), "kept"),
    Case("search_events", "empty table", (), "stops: has 0 rows", empty=True),
    # search_relevance
    Case("search_relevance", "missing column `sr_score`", (), "stops: required column 'sr_score' is missing", "item_id,keyphrase"),
    Case("search_relevance", "sr_score 1.5", ("i1,lamp,1.5",), "rejects: sr_score: outside [0, 1]"),
    Case("search_relevance", "sr_score -0.1", ("i1,lamp,-0.1",), "rejects: sr_score: outside [0, 1]"),
    Case("search_relevance", "sr_score NaN text", ("i1,lamp,high",), "rejects: sr_score: unparseable value"),
    Case("search_relevance", "null sr_score", ("i1,lamp,",), "rejects: sr_score: null"),
    Case("search_relevance", "duplicate key", ("i1,Leather Sofa,0.2",), "rejects: duplicate key (item_id, keyphrase)"),
    Case("search_relevance", "unknown item", ("i404,lamp,0.5",), "rejects: item_id: unknown item_id"),
    Case("search_relevance", "empty table", (), "stops: has 0 rows", empty=True),
    # human_labels
    Case("human_labels", "missing column `label`", (), "stops: required column 'label' is missing", "item_id,keyphrase"),
    Case("human_labels", "label 5", ("i1,lamp,5",), "rejects: label: outside [0, 3]"),
    Case("human_labels", "label 2.5", ("i1,lamp,2.5",), "rejects: label: not an integer"),
    Case("human_labels", "duplicate key", ("i2,LAMP,1",), "rejects: duplicate key (item_id, keyphrase)"),
    Case("human_labels", "empty table", (), "kept", empty=True),
)
# fmt: on


def write_inputs(folder: Path, case: Case) -> int:
    """Write every input as CSV, the case's table with its bad row; its data row count."""
    written = 0
    for table, lines in GOOD.items():
        path = folder / "inputs" / f"{table}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        if table != case.table:
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            continue
        header = case.header or lines[0]
        rows = [] if case.empty else list(case.lines)
        if case.header and not case.empty and not case.lines:
            rows = _rows_for_header(table, header)
        elif not case.empty:
            rows = [*lines[1:], *rows]
        body = "\n".join([header, *rows]) + "\n"
        path.write_bytes(body.encode("utf-8") + (case.raw or b""))
        written = len(rows) + (case.raw is not None)
    return written


def _rows_for_header(table: str, header: str) -> list[str]:
    if header == "item_id,title,price":
        return ["i1,Norvik Leather Sofa,499", "i9,Broken Price Lamp,-3"]
    columns = header.split(",")
    good_header = GOOD[table][0].split(",")
    rows = []
    for line in GOOD[table][1:]:
        values = dict(zip(good_header, line.split(","), strict=True))
        rows.append(",".join(values.get(c, "x") for c in columns))
    return rows


def needed(table: str) -> list[str]:
    """The case's table, and the catalog when its references are checked."""
    return [table, "items", "keyphrases"] if table in REFERENCING else [table]


def outcome_of(spark, folder: Path, case: Case) -> tuple[str, list[str], int]:
    """(`stops: message` | `loaded`, reject reasons, kept rows of the case's table)."""
    overrides = [f"inputs.{t}={folder / 'inputs' / f'{t}.csv'}" for t in TABLES]
    config = make_test_config(folder, *overrides, "inputs.truth=null")
    try:
        tables = load_inputs(spark, config, needed(case.table), StageRecord(name="matrix"))
    except ContractViolation as stop:
        return f"stops: {stop}", [], 0
    table = tables[case.table]
    reasons = [r.reason for r in table.rejects.collect()]
    kept = table.kept
    if case.table in REFERENCING:
        contract = SEARCH_EVENTS if case.table == "search_events" else SEARCH_RELEVANCE
        known, unknown_items = split_unknown_references(
            table.valid, contract, tables["items"].valid, "item_id", "matrix"
        )
        known, unknown_phrases = split_unknown_references(
            known, contract, tables["keyphrases"].valid, "keyphrase_norm", "matrix"
        )
        reasons += [r.reason for r in unknown_items.union(unknown_phrases).collect()]
        kept = known.count()
    return "loaded", reasons, kept


@pytest.mark.parametrize("case", CASES, ids=[f"{c.table}: {c.case}" for c in CASES])
def test_bad_input(spark, tmp_path: Path, case: Case, monkeypatch) -> None:
    # What would go to `rejects` is collected, not MERGEd: a Delta table per case would be
    # most of this matrix's time, and the write itself is tested on real tables
    # (tests/test_run_records.py, and the bad-rows job test in tests/test_jobs.py).
    sent: list = []
    monkeypatch.setattr(inputs, "write_rejects", lambda spark, config, frames: sent.extend(frames))
    rows = write_inputs(tmp_path, case)
    result, reasons, kept = outcome_of(spark, tmp_path, case)
    load_rejects = [r.reason for frame in sent for r in frame.collect()]
    # load_inputs sends every row it rejects; unknown references are build_pairs' to send.
    assert sorted(load_rejects) == sorted(r for r in reasons if ": unknown " not in r)
    if case.outcome.startswith("stops: "):
        assert result.startswith("stops: "), f"expected a stop, got {result} {reasons}"
        assert case.outcome.removeprefix("stops: ") in result
        assert f"'{case.table}'" in result  # names the table
        assert "row" in result  # and the row count
    elif case.outcome.startswith("rejects: "):
        assert result == "loaded"
        assert len(reasons) == 1, reasons
        assert reasons[0].startswith(case.outcome.removeprefix("rejects: ")), reasons
        assert kept == rows - 1  # every other row is kept
    else:
        assert result == "loaded" and reasons == [], reasons
        assert kept == rows


def render_table(cases: tuple[Case, ...] = CASES) -> str:
    lines = [
        "# Bad input: every case and its outcome",
        "",
        "Generated from `CASES` in `test_bad_input_matrix.py` (each row is a test there);",
        "regenerate with `KPRECO_WRITE_BAD_INPUT_TABLE=1 make test`.",
        "",
        "| table | case | outcome |",
        "|---|---|---|",
    ]
    for case in cases:
        lines.append(f"| {case.table} | {case.case} | {case.outcome} |")
    return "\n".join(lines) + "\n"


def test_the_documented_table_is_the_tested_table() -> None:
    if os.environ.get("KPRECO_WRITE_BAD_INPUT_TABLE"):
        TABLE_DOC.write_text(render_table())
    assert TABLE_DOC.read_text() == render_table(), (
        "tests/reliability/bad_input.md is stale: set KPRECO_WRITE_BAD_INPUT_TABLE=1 and rerun"
    )
