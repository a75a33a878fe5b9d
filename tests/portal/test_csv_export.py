"""Cells that a spreadsheet would run are quoted; numbers stay numbers."""

import csv
import io

import pytest

from portal.csv_export import safe_cell, write_csv


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+1", "-1+2", "@SUM(A1)", "|cmd", "＝1+1", "＋1", "－1", "＠SUM(A1)", "\t=1", "\r=1"],
)
def test_a_cell_that_would_run_is_quoted(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-1.5, 3, 0])
def test_numbers_stay_numbers(value):
    assert safe_cell(value) == value


def test_the_file_reads_back_with_the_quote():
    out = io.StringIO()
    write_csv(out, ["name"], [['＝HYPERLINK("x")'], ["Ann"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["name"], ['\'＝HYPERLINK("x")'], ["Ann"]]
