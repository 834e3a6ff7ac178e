"""Document kinds by content, and the cleaned names résumés are kept under, as tables."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest

from tests.resume_files import (
    MACRO_MAIN,
    content_types,
    docx,
    pdf,
    xlsx,
    zipped,
)
from tracker.domain.documents import (
    DocumentKind,
    ZipLimits,
    clean_filename,
    detect,
    human_size,
)

PDF, DOCX = DocumentKind.PDF, DocumentKind.DOCX

JAR = zipped({"META-INF/MANIFEST.MF": "Manifest-Version: 1.0\n", "Main.class": b"\xca\xfe"})
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def broken(data: bytes) -> bytes:
    """The archive with its compressed bytes garbled in the middle."""
    middle = len(data) // 3
    return data[:middle] + bytes(b ^ 0xFF for b in data[middle : middle + 16]) + data[middle + 16 :]


DETECTION = [
    ("a PDF", pdf(), PDF),
    ("the bare PDF signature", b"%PDF-", PDF),
    ("a PDF that also holds a ZIP is still a PDF", pdf(docx()), PDF),
    ("a Word document", docx(), DOCX),
    (
        "a Word document whose part name differs in case",
        docx(**{"[Content_Types].xml": content_types("/WORD/Document.xml")}),
        DOCX,
    ),
    ("a spreadsheet (another Office ZIP)", xlsx(), None),
    ("a Java archive", JAR, None),
    (
        "a macro-enabled Word document",
        docx(**{"[Content_Types].xml": content_types(kind=MACRO_MAIN)}),
        None,
    ),
    (
        "Word parts without [Content_Types].xml",
        zipped({"word/document.xml": "<w:document/>"}),
        None,
    ),
    (
        "[Content_Types].xml naming the document but no document",
        zipped({"[Content_Types].xml": content_types()}),
        None,
    ),
    (
        "a document declared for another part",
        docx(**{"[Content_Types].xml": content_types("/word/other.xml")}),
        None,
    ),
    ("a program", EXE, None),
    ("a program carrying a Word document (self-extracting)", EXE + docx(), None),
    ("nothing", b"", None),
    ("plain text", b"Curriculum vitae\n", None),
    ("a web page", b"<!doctype html><script>alert(1)</script>", None),
    ("a PNG image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, None),
    ("a PDF signature not at the start", b" %PDF-1.4", None),
    ("a PDF signature without its dash", b"%PDF1.4", None),
    ("a ZIP signature and then garbage", b"PK\x03\x04" + b"\x00" * 64, None),
    ("a Word document cut in half", docx()[: len(docx()) // 2], None),
    ("a Word document garbled inside", broken(docx("x" * 2000)), None),
]


@pytest.mark.parametrize(("what", "data", "expected"), DETECTION, ids=[d[0] for d in DETECTION])
def test_kind_is_judged_by_content(what: str, data: bytes, expected: DocumentKind | None) -> None:
    assert detect(data) is expected


def test_stored_and_deflated_word_documents_are_both_accepted() -> None:
    members = {"[Content_Types].xml": content_types(), "word/document.xml": "<w:document/>"}
    assert detect(zipped(members, zipfile.ZIP_STORED)) is DOCX
    assert detect(zipped(members, zipfile.ZIP_DEFLATED)) is DOCX


# --- Archives built to make the check expensive ------------------------------------------


def many_members(count: int) -> bytes:
    return docx(**{f"word/media/image{i}.png": b"" for i in range(count)})


LIMITS = [
    ("too many members", many_members(20), ZipLimits(max_members=10), None),
    ("members within the count", many_members(5), ZipLimits(max_members=10), DOCX),
    (
        "claims to expand too far in all",
        docx(**{"word/media/zeros.bin": b"\x00" * 50_000}),
        ZipLimits(max_total_uncompressed=40_000),
        None,
    ),
    (
        "[Content_Types].xml larger than is read",
        docx(**{"[Content_Types].xml": content_types() + " " * 5_000}),
        ZipLimits(max_read_bytes=4_000),
        None,
    ),
    ("the default member limit", many_members(1_001), ZipLimits(), None),
]


@pytest.mark.parametrize(("what", "data", "limits", "expected"), LIMITS, ids=[c[0] for c in LIMITS])
def test_archive_limits(what: str, data: bytes, limits: ZipLimits, expected) -> None:
    assert detect(data, limits) is expected


def understated(data: bytes, member: str, claimed: int) -> bytes:
    """The archive with `member`'s uncompressed size rewritten (local header and central
    directory) to `claimed`: a zip bomb that lies about its size."""
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    struct.pack_into("<I", out, info.header_offset + 22, claimed)
    name = member.encode()
    start = 0
    while (start := out.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", out, start + 28)[0]
        if bytes(out[start + 46 : start + 46 + name_length]) == name:
            struct.pack_into("<I", out, start + 24, claimed)
        start += 4
    return bytes(out)


def test_a_member_that_lies_about_its_size_is_not_read_past_the_limit() -> None:
    """[Content_Types].xml claims 100 bytes but expands to 2 MB: refused, never inflated."""
    honest = docx(**{"[Content_Types].xml": content_types() + " " * 2_000_000})
    assert detect(honest) is None  # larger than the 1 MB that is read
    lying = understated(honest, "[Content_Types].xml", 100)
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert archive.getinfo("[Content_Types].xml").file_size == 100
    assert detect(lying) is None


# --- Names ---------------------------------------------------------------------------------

NAMES = [
    ("cv.pdf", PDF, "cv.pdf"),
    ("CV.PDF", PDF, "CV.pdf"),
    ("cv", PDF, "cv.pdf"),
    ("report.2024.docx", DOCX, "report.2024.docx"),
    ("Résumé Zoë Núñez.docx", DOCX, "Résumé Zoë Núñez.docx"),
    # the extension follows the content, not the name sent
    ("cv.docx", PDF, "cv.pdf"),
    ("cv.pdf", DOCX, "cv.docx"),
    ("setup.exe", PDF, "setup.pdf"),
    # no folders, from any system
    ("../../etc/passwd", PDF, "passwd.pdf"),
    ("C:\\Users\\zoe\\Desktop\\cv.pdf", PDF, "cv.pdf"),
    ("/home/zoe/", PDF, "resume.pdf"),
    # control and direction-changing characters are dropped
    ("cv\x00\n\r\t.pdf", PDF, "cv.pdf"),
    ("invoice\u202efdp.exe", PDF, "invoicefdp.pdf"),
    ("zero\u200bwidth.pdf", PDF, "zerowidth.pdf"),
    # only a safe set of characters stays
    ('a"b;c<d>e.pdf', PDF, "a_b_c_d_e.pdf"),
    ("<script>alert(1)</script>.pdf", PDF, "script.pdf"),
    ("   spaced    out   .pdf", PDF, "spaced out.pdf"),
    # nothing left: a name from the kind
    ("", PDF, "resume.pdf"),
    (None, DOCX, "resume.docx"),
    ("...", PDF, "resume.pdf"),
    ("\u202e", DOCX, "resume.docx"),
    (".bashrc", PDF, "bashrc.pdf"),
]


@pytest.mark.parametrize(("sent", "kind", "kept"), NAMES)
def test_names_are_cleaned(sent: str | None, kind: DocumentKind, kept: str) -> None:
    assert clean_filename(sent, kind) == kept


@pytest.mark.parametrize("kind", [PDF, DOCX])
def test_long_names_are_cut_to_255_keeping_the_extension(kind: DocumentKind) -> None:
    name = clean_filename("x" * 400 + ".pdf", kind)
    assert len(name) == 255
    assert name.endswith(kind.extension)


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        (PDF, "application/pdf"),
        (DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_content_type_follows_the_kind(kind: DocumentKind, content_type: str) -> None:
    assert kind.content_type == content_type


@pytest.mark.parametrize(
    ("size", "shown"),
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (1023, "1023 bytes"),
        (2048, "2 KB"),
        (10 * 1024 * 1024, "10 MB"),
        (11 * 1024 * 1024, "11 MB"),
        (int(9.5 * 1024 * 1024), "9.5 MB"),
    ],
)
def test_human_size(size: int, shown: str) -> None:
    assert human_size(size) == shown
