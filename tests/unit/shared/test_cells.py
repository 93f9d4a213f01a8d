"""No text becomes a formula: workbooks read back with openpyxl hold strings, CSV fields lead with a quote."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from shared.cells import csv_text, formula_like, write_cell

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"点击\")", "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1",
           "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_like_text_is_read_back_as_the_same_string(text):
    book = Workbook()
    write_cell(book.active["A1"], text)
    buffer = io.BytesIO()
    book.save(buffer)
    cell = load_workbook(io.BytesIO(buffer.getvalue())).active["A1"]
    assert cell.data_type == "s" and cell.value == text and cell.quotePrefix


def test_plain_text_and_numbers_are_left_as_they_are():
    book = Workbook()
    plain, negative, dash = (write_cell(book.active.cell(1, column), value)
                             for column, value in enumerate(["临川区政府", -3.5, "—"], start=1))
    assert (plain.value, plain.quotePrefix) == ("临川区政府", False)
    assert (negative.value, negative.data_type) == (-3.5, "n")
    assert not formula_like(dash.value) and not formula_like(None)


def test_csv_fields_that_would_be_formulas_lead_with_a_quote():
    buffer = io.StringIO()
    csv.writer(buffer).writerow([csv_text(value) for value in [*HOSTILE, "正常", -1]])
    fields = next(csv.reader(io.StringIO(buffer.getvalue())))
    assert fields[:len(HOSTILE)] == [f"'{text}" for text in HOSTILE]
    assert fields[len(HOSTILE):] == ["正常", "-1"]
