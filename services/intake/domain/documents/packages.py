"""Safety checks on an Office Open XML package (.docx, .xlsx) before any library parses it.

A package is a zip archive of XML parts (ECMA-376 Part 2). Checked here, member by member, on the bytes
actually inflated (the sizes a zip declares may lie): the total inflated size and each member's compression
ratio against `Limits` (zip bombs), and that no XML part declares a DTD (Office never writes one; a DTD is
how "billion laughs" entity expansion and external entities get in), which defusedxml refuses while parsing.
"""

import io
import zipfile
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from services.intake.domain.documents.limits import LIMITS, LimitExceeded, Limits, MiB

_CHUNK = 1 * MiB


class UnsafePackage(ValueError):
    """Not a well-formed, DTD-free zip package: the message says what was found where."""


def check_package(content: bytes, limits: Limits = LIMITS) -> None:
    """Raises LimitExceeded (inflated size, compression ratio) or UnsafePackage (not a zip, a corrupt
    member, malformed XML, a DTD or entity declaration); returns None when the package is safe to parse."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as error:
        raise UnsafePackage(f"not a zip package (Office Open XML): {error}") from error
    inflated = 0
    with archive:
        for member in archive.infolist():
            if member.file_size > limits.inflated_bytes:
                raise LimitExceeded("inflated_bytes", f"{member.filename} declares {member.file_size // MiB} MB "
                                    f"inflated; the limit is {limits.inflated_bytes // MiB} MB for the whole file")
            data = _inflate(archive, member, limits, limits.inflated_bytes - inflated)
            inflated += len(data)
            if member.filename.endswith((".xml", ".rels")):
                _check_xml(member.filename, data)


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: Limits, budget: int) -> bytes:
    chunks, size = [], 0
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > budget:
                    raise LimitExceeded("inflated_bytes", f"the file inflates to more than "
                                        f"{limits.inflated_bytes // MiB} MB (at {member.filename})")
                if size > MiB and size > limits.max_ratio * max(member.compress_size, 1):
                    raise LimitExceeded("max_ratio", f"{member.filename} inflates more than {limits.max_ratio} "
                                        f"times its compressed size (a zip bomb)")
                chunks.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as error:
        raise UnsafePackage(f"{member.filename} cannot be inflated: {error}") from error
    return b"".join(chunks)


def _check_xml(name: str, data: bytes) -> None:
    try:
        fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise UnsafePackage(f"{name} declares a DTD or entities, which Office documents never do "
                            f"(an XML bomb?): {type(error).__name__}") from error
    except ParseError as error:
        raise UnsafePackage(f"{name} is not well-formed XML: {error}") from error
