"""What kind of document a file is, judged by its bytes, never by its name or the browser's
content type; and the cleaned name it is kept and offered under.

Only PDF and Word (.docx) files are accepted. A DOCX is a ZIP archive, so it is opened to
check that it is a Word document and not another ZIP (a spreadsheet, a Java archive), with
limits so that a crafted archive cannot make the check itself expensive.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from enum import StrEnum


class DocumentKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self]

    @property
    def extension(self) -> str:
        return f".{self.value}"

    @property
    def label(self) -> str:
        return {DocumentKind.PDF: "PDF", DocumentKind.DOCX: "Word"}[self]


DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CONTENT_TYPES = {DocumentKind.PDF: "application/pdf", DocumentKind.DOCX: DOCX_CONTENT_TYPE}
# The content type [Content_Types].xml gives a Word document's main part. Macro-enabled
# documents (.docm) and templates (.dotx) declare other types and are refused.
WORD_MAIN_PART = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_DOCUMENT = "word/document.xml"
CONTENT_TYPES_PART = "[Content_Types].xml"
ZIP_LOCAL_HEADER = b"PK\x03\x04"


@dataclass(frozen=True)
class ZipLimits:
    """How far a DOCX check may go. Real Word files hold a few dozen parts and a
    [Content_Types].xml of a few kilobytes; anything far beyond is refused, not read."""

    max_members: int = 1000
    # The most bytes decompressed while checking (only [Content_Types].xml is read).
    max_read_bytes: int = 1024 * 1024
    # The most the archive claims to expand to, in all; a zip bomb claims far more.
    max_total_uncompressed: int = 200 * 1024 * 1024


DEFAULT_LIMITS = ZipLimits()


def detect(data: bytes, limits: ZipLimits = DEFAULT_LIMITS) -> DocumentKind | None:
    """The kind of document these bytes are, or None when they are neither PDF nor DOCX."""
    if data.startswith(b"%PDF-"):
        return DocumentKind.PDF
    # A ZIP may carry anything in front of it (a self-extracting program); a DOCX does not.
    if data.startswith(ZIP_LOCAL_HEADER) and _is_word_archive(data, limits):
        return DocumentKind.DOCX
    return None


def _is_word_archive(data: bytes, limits: ZipLimits) -> bool:
    buffer = io.BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        return False
    try:
        with zipfile.ZipFile(buffer) as archive:
            members = archive.infolist()
            if len(members) > limits.max_members:
                return False
            if sum(m.file_size for m in members) > limits.max_total_uncompressed:
                return False
            names = {m.filename for m in members}
            if WORD_DOCUMENT not in names or CONTENT_TYPES_PART not in names:
                return False
            info = archive.getinfo(CONTENT_TYPES_PART)
            if info.file_size > limits.max_read_bytes:
                return False
            with archive.open(info) as part:
                # The declared size may lie: never decompress more than the limit.
                content_types = part.read(limits.max_read_bytes + 1)
    except (
        zipfile.BadZipFile,
        zlib.error,
        RuntimeError,
        NotImplementedError,
        EOFError,
        OSError,
        ValueError,
    ):
        return False  # corrupt, encrypted, or compressed in a way zipfile does not know
    if len(content_types) > limits.max_read_bytes:
        return False
    return _declares_word_document(content_types)


_OVERRIDE = re.compile(rb"<(?:\w+:)?Override\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _declares_word_document(content_types: bytes) -> bool:
    """Whether [Content_Types].xml gives /word/document.xml the Word main-document type.
    Read with patterns rather than an XML parser: nothing here expands entities."""
    for match in _OVERRIDE.finditer(content_types):
        attributes = {
            name.decode("ascii"): (double or single)
            for name, double, single in _ATTRIBUTE.findall(match.group(1))
        }
        part = attributes.get("PartName", b"").decode("utf-8", "replace")
        kind = attributes.get("ContentType", b"").decode("utf-8", "replace")
        # Part names are compared without regard to case (Open Packaging Conventions).
        if part.lower() == "/" + WORD_DOCUMENT and kind.strip() == WORD_MAIN_PART:
            return True
    return False


# --- Names -----------------------------------------------------------------------------

MAX_NAME_LENGTH = 255
_SAFE_PUNCTUATION = frozenset(" -_.(),")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def clean_filename(name: str | None, kind: DocumentKind) -> str:
    """The uploaded name reduced to something safe to show and to offer as a download
    name: no folders, no control or direction-changing characters, only letters, digits
    and a little punctuation, at most 255 characters, and the extension of the kind the
    content really is (a PDF sent as "cv.docx" is kept as "cv.pdf")."""
    base = re.split(r"[/\\]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    kept = "".join(
        ch if (ch.isalnum() or ch in _SAFE_PUNCTUATION) else "_"
        for ch in base
        if unicodedata.category(ch)[0] != "C"  # control, format (e.g. U+202E), unassigned
    )
    kept = re.sub(r"\s+", " ", kept)
    kept = re.sub(r"_{2,}", "_", kept)
    stem = _EXTENSION.sub("", kept).strip(" ._")
    stem = stem[: MAX_NAME_LENGTH - len(kind.extension)].rstrip(" .")
    return (stem or "resume") + kind.extension


def human_size(size: int) -> str:
    """A byte count as people read it: 512 bytes, 12 KB, 9.5 MB."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes == int(megabytes) else f"{megabytes:.1f} MB"
