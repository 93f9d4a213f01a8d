"""Plain text as Windows and Chinese editors save it, decoded.

Order of evidence: a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32: Notepad writes one for every Unicode
form but UTF-8), then strict UTF-8 (what every modern editor writes without a mark), then the national
encodings told apart by charset-normalizer: GB18030, the superset of GBK and GB2312 that Chinese Windows
saves as "ANSI", and Big5 (traditional characters, Taiwan and Hong Kong). Text that none of these read
cleanly, or that holds control characters no editor writes, is refused rather than guessed.
"""

import codecs
import re

from charset_normalizer import from_bytes

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_NATIONAL = ["gb18030", "big5"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class UndecodableText(ValueError):
    """The bytes are not text in an encoding we read; the message says which were tried."""


def decode_text(content: bytes) -> str:
    encoding = next((name for bom, name in _BOMS if content.startswith(bom)), None)
    try:
        text = content.decode(encoding or "utf-8")
    except UnicodeDecodeError as error:
        if encoding:
            raise UndecodableText(f"the text starts with a {encoding} byte-order mark but is not {encoding}: "
                                  f"{error.reason} at byte {error.start}") from error
        best = from_bytes(content, cp_isolation=_NATIONAL).best()
        if best is None:
            raise UndecodableText("the text is not UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK/"
                                  "GB2312 or Big5") from error
        text = str(best)
    if _CONTROL.search(text):
        raise UndecodableText("the file holds control characters: it is not a text file")
    return text
