"""Which PDF text extractor gives the plan parser what it gets from the plan's text, and how fast.

Usage: python bench/pdf_extraction.py [--runs 3] [--font-file /usr/share/fonts/truetype/wqy/wqy-microhei.ttc]
Each sample plan of deploy/demo/plans is typeset as a GB/T 9704 government document (A4, 28 characters × 22
lines, full-width punctuation, page numbers `— N —`; tests/data/documents/government_pdf.py), once in the
built-in CID font STSong-Light (not embedded) and, when a TrueType font is at hand (Debian's fonts-wqy-microhei
by default), once with that font embedded as a subset as Word and WPS export; its text is extracted by each
candidate library, and parsed. Printed per library and plan: measures whose number and title, units
(lead and responsible) and deadlines equal those of the .txt parse, out of the .txt parse's measures, and the
median extraction time. Candidates are the permissively licensed extractors on PyPI (PyMuPDF is AGPL: left out).
"""

import argparse
import io
import itertools
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere in the repo

import pdfminer.high_level  # noqa: E402
import pdfplumber  # noqa: E402
import pypdf  # noqa: E402
import pypdfium2  # noqa: E402

from services.intake.domain.plans.parser import parse_plan  # noqa: E402
from tests.data.documents.government_pdf import government_pdf  # noqa: E402

PLANS = Path(__file__).resolve().parents[1] / "deploy" / "demo" / "plans"


def with_pypdf(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def with_pdfminer(pdf: bytes) -> str:
    return pdfminer.high_level.extract_text(io.BytesIO(pdf))


def with_pdfplumber(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() for page in document.pages)


def with_pypdfium2(pdf: bytes) -> str:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


CANDIDATES = {"pypdf (BSD)": with_pypdf, "pdfminer.six (MIT)": with_pdfminer,
              "pdfplumber (MIT)": with_pdfplumber, "pypdfium2 (Apache/BSD)": with_pypdfium2}


def _key(measure: dict) -> tuple:
    return measure["number_text"], measure["title"]


def scores(got: list[dict], want: list[dict]) -> tuple[int, int, int]:
    """(measures found, of them with equal units, with equal deadlines), matched by number and title."""
    by_key = {_key(m): m for m in got}
    found = [(by_key[_key(w)], w) for w in want if _key(w) in by_key]
    units = sum(g["unit_pairs"] == w["unit_pairs"] for g, w in found)
    deadlines = sum(g["deadlines"] == w["deadlines"] for g, w in found)
    return len(found), units, deadlines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--font-file", default="/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
    args = parser.parse_args()
    fonts = {"CID": None, "TTF": args.font_file} if Path(args.font_file).exists() else {"CID": None}
    print(f"{'library':24} {'font':4} {'plan':22} {'measures':>9} {'units':>7} {'deadlines':>9} {'ms/plan':>8}")
    for (name, extract), (font, font_file) in itertools.product(CANDIDATES.items(), fonts.items()):
        for path in sorted(PLANS.glob("*.txt")):
            text = path.read_text(encoding="utf-8")
            want = [m.to_json() for m in parse_plan(text).measures]
            pdf = government_pdf(text, font_file)
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                extracted = extract(pdf)
                times.append(time.perf_counter() - began)
            got = [m.to_json() for m in parse_plan(extracted).measures]
            found, units, deadlines = scores(got, want)
            total = len(want)
            print(f"{name:24} {font:4} {path.stem:22} {found:>4}/{total:<4} {units:>3}/{total:<3} "
                  f"{deadlines:>4}/{total:<4} {statistics.median(times) * 1000:>8.0f}")


if __name__ == "__main__":
    main()
