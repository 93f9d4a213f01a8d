"""The bulletin and the annual report as LibreOffice renders them: each .docx converted to PDF by Debian's
LibreOffice (`soffice --headless --convert-to pdf`, installed by deploy/local/office.py), its pages A4 with the
text where GB/T 9704 puts it, the first pages kept as screenshots (pypdfium2) under test-artefacts/documents/."""

import subprocess
from datetime import date
from pathlib import Path

import pypdfium2
import pytest

from deploy.local.office import install_office
from services.reporting.domain.annual import annual_report
from services.reporting.domain.documents.annual import annual_docx
from services.reporting.domain.documents.bulletin import bulletin, bulletin_docx
from services.reporting.domain.snapshot import Snapshot
from tests.unit.reporting.generated import generate_city

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "documents"
TODAY = date(2026, 11, 22)
MM = 72 / 25.4  # PDF points per millimetre


@pytest.fixture(scope="module")
def soffice() -> str:
    path = install_office()
    if path is None:
        pytest.skip("LibreOffice is not installed and cannot be installed here (needs root and apt-get: "
                    "apt-get install -y libreoffice-writer-nogui fonts-noto-cjk)")
    return path


@pytest.fixture(scope="module")
def snapshot() -> Snapshot:
    city = generate_city(townships=12, measures=14, assignments=500, departments=(6, 3, 1), seed=5, today=TODAY)
    alerts = city.open_alerts(TODAY)
    # The alerts open today and those judged at the end of October (the bulletin's day).
    return Snapshot(city.views(), {m["_id"]: m for m in city.measures}, city.regions,
                    flags=city.alert_flags(TODAY, [date(2026, 10, 31)]), open_alerts=alerts)


def render(soffice: str, content: bytes, name: str, tmp_path: Path) -> pypdfium2.PdfDocument:
    """The .docx converted to PDF; its first two pages saved as PNG screenshots."""
    source = tmp_path / f"{name}.docx"
    source.write_bytes(content)
    # A profile of its own: a LibreOffice already running for the user would take the job and exit at once.
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=240)
    pdf = pypdfium2.PdfDocument(str(tmp_path / f"{name}.pdf"))
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for index in range(min(2, len(pdf))):
        pdf[index].render(scale=2).to_pil().save(ARTEFACTS / f"{name}-{index + 1}.png")
    return pdf


def page_text(pdf: pypdfium2.PdfDocument, index: int) -> str:
    return pdf[index].get_textpage().get_text_range()


def flat(text: str) -> str:
    """Without line breaks and the spaces LibreOffice sets between Chinese and digits (autospace)."""
    return "".join(text.split())


def text_box(pdf: pypdfium2.PdfDocument, index: int, needle: str) -> tuple[float, float, float, float]:
    """(left, bottom, right, top) in points of the first occurrence of `needle` on the page."""
    textpage = pdf[index].get_textpage()
    text = page_text(pdf, index)
    kept = [position for position, char in enumerate(text) if not char.isspace()]  # as flat() keeps them
    start = flat(text).index(flat(needle))
    boxes = [textpage.get_charbox(kept[start + offset]) for offset in range(len(flat(needle)))]
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def assert_official_layout(pdf: pypdfium2.PdfDocument) -> None:
    assert len(pdf) >= 2
    width, height = pdf[0].get_size()
    assert (round(width / MM), round(height / MM)) == (210, 297)
    for index, outer in ((0, "right"), (1, "left")):
        left, bottom, right, _ = text_box(pdf, index, f"— {index + 1} —")
        assert bottom < 35 * MM  # in the bottom margin, below the text block
        if outer == "right":  # odd pages: at the right, one 4号 character in from the text block's edge
            assert (210 - 26) * MM - 40 < right < (210 - 26) * MM
        else:
            assert 28 * MM < left < 28 * MM + 40


def test_the_bulletin_renders_in_the_official_layout(soffice, snapshot, tmp_path):
    content = bulletin(snapshot, "361000", "2026-10", TODAY)
    pdf = render(soffice, bulletin_docx(content, issue=10), "bulletin", tmp_path)
    assert_official_layout(pdf)
    first = flat(page_text(pdf, 0))
    assert "督办通报" in first and "2026年第10期" in first and "一、总体情况" in first
    left, _, right, top = text_box(pdf, 0, "督办通报")
    assert abs((left + right) / 2 - (28 + 156 / 2) * MM) < 3  # centred on the text block
    assert top < (297 - 37) * MM + 2  # below the top margin
    # 28 characters to a line: the opening paragraph's first line, indented by two, holds 26 and reaches the
    # text block's right edge.
    line = next(line for line in page_text(pdf, 0).splitlines() if line.startswith("为推动"))
    assert len(flat(line)) == 26
    left, _, right, _ = text_box(pdf, 0, line)
    assert abs(left - (28 * MM + 2 * 15.75)) < 2 and (210 - 26) * MM - 16 < right <= (210 - 26) * MM + 1


def test_the_annual_report_renders_in_the_official_layout(soffice, snapshot, tmp_path):
    report = annual_report(snapshot, "361000", 2026, TODAY, [])
    pdf = render(soffice, annual_docx(report), "annual", tmp_path)
    assert_official_layout(pdf)
    text = flat("".join(page_text(pdf, index) for index in range(len(pdf))))
    assert "演示市2026年度法治政府建设情况报告" in text
    assert "三、各项措施落实情况" in text and "逾期天数" in text
