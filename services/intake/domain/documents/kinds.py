"""What an uploaded file is by its first bytes (its signature), not by its name: a PNG renamed .xlsx or a PDF
renamed .docx is refused before any parser opens it, naming what it is. Districts rename files, and a parser
handed another format fails in ways that say nothing to the person who sent it.

Signatures: ISO 32000 (PDF: `%PDF-`), APPNOTE 4.3.7 (zip local file header, the container of .docx/.xlsx),
[MS-CFB] (OLE2 compound file: .xls, .doc, .wps), and the common image and archive formats a wrong file
usually is. Plain text has no signature: it is what is none of them.
"""

from pathlib import PurePath

TEXT = "plain text"
ZIP, OLE2, PDF = "a zip package", "an OLE2 compound file (Office 97-2003)", "a PDF document"
PNG, JPEG = "a PNG image", "a JPEG image"
SIGNATURES = {
    b"%PDF-": PDF,
    b"PK\x03\x04": ZIP,
    bytes.fromhex("d0cf11e0a1b11ae1"): OLE2,
    b"\x89PNG\r\n\x1a\n": PNG,
    b"\xff\xd8\xff": JPEG,
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!\x1a\x07": "a RAR archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"MZ": "a Windows program",
    b"\x7fELF": "a Linux program",
}
# What a file of each suffix an upload may have must hold, and what a person calls it.
EXPECTED = {
    ".txt": (TEXT, "a text file"), ".yaml": (TEXT, "a YAML text file"), ".yml": (TEXT, "a YAML text file"),
    ".pdf": (PDF, "a PDF document"), ".docx": (ZIP, "a Word .docx document"),
    ".xlsx": (ZIP, "an Excel .xlsx workbook"), ".xls": (OLE2, "an Excel 97-2003 .xls workbook"),
}


class WrongKind(ValueError):
    """The file's content is not what its name says."""


def kind_of(content: bytes) -> str:
    """What the first bytes say the file is; TEXT when they match no signature."""
    return next((kind for signature, kind in SIGNATURES.items() if content.startswith(signature)), TEXT)


def expect_kind(filename: str, content: bytes, accepted: tuple[str, ...] | None = None) -> str:
    """The kind of `content` when it is what `filename`'s suffix says, or, given `accepted` suffixes, what any of
    them says whatever the name (a ledger renamed from .xlsx to .xls is still read); else WrongKind naming both.
    A suffix not in EXPECTED, without `accepted`, is not checked here."""
    suffix = PurePath(filename or "").suffix.lower()
    suffixes = accepted if accepted is not None else [suffix] if suffix in EXPECTED else []
    kind = kind_of(content)
    if suffixes and kind not in {EXPECTED[each][0] for each in suffixes}:
        expected = " or ".join(dict.fromkeys(EXPECTED[each][1] for each in suffixes))
        raise WrongKind(f"{filename or 'the file'} is {kind}, not {expected}")
    return kind
