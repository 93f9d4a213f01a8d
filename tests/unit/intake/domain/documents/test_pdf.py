"""PDF plans: the sample plans typeset as GB/T 9704 government documents parse as their text does."""

import io
from collections import Counter

import pytest
from reportlab.pdfgen.canvas import Canvas

from services.intake.domain.documents import UnreadableDocument, document_text, parse_document
from services.intake.domain.plans.parser import parse_plan
from tests.data.documents.government_pdf import CHARS_PER_LINE, government_pdf
from tests.unit.intake.domain.plans.plan_test_helpers import PLAN_NAMES, sample_text


def _essentials(plan) -> list[tuple]:
    return [(m.number_text, m.title, m.chapter, m.lead_units, m.responsible_units,
             [d.text for d in m.deadlines], [t.text for t in m.targets]) for m in plan.measures]


@pytest.mark.parametrize("name", PLAN_NAMES)
def test_a_government_pdf_of_each_sample_plan_parses_to_the_measures_of_its_text(name):
    text = sample_text(name)
    pdf = government_pdf(text)
    lines = document_text("plan.pdf", pdf).splitlines()
    assert any("— 2 —" in line for line in lines)  # the page numbers are there for layout.py to remove
    widths = Counter(len(line) for line in lines)  # and lines cut at the page width (with the indent)
    assert CHARS_PER_LINE - 1 <= widths.most_common(1)[0][0] <= CHARS_PER_LINE + 1
    assert _essentials(parse_document("plan.pdf", pdf)) == _essentials(parse_plan(text))


def test_a_pdf_without_text_is_refused_as_a_scan():
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.rect(100, 100, 200, 200)
    canvas.showPage()
    canvas.save()
    with pytest.raises(UnreadableDocument, match="hold no text"):
        document_text("scan.pdf", out.getvalue())
