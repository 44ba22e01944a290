"""Resume extraction: the content must be what the extension says, text comes out of each format."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from screening.resume import MAX_RESUME_BYTES, ResumeError, resume_extract_text, resume_read_upload


def make_pdf(text: str) -> bytes:
    """A one-page PDF with ``text`` in it, written by hand (pypdf reads, it does not lay out text)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def make_docx(*paragraphs: str) -> bytes:
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_text_comes_out_of_a_pdf():
    assert "Senior Python developer" in resume_extract_text(name="cv.PDF", data=make_pdf("Senior Python developer"))


def test_text_comes_out_of_a_docx():
    text = resume_extract_text(name="cv.docx", data=make_docx("Anna Petrova", "Django, PostgreSQL"))
    assert text == "Anna Petrova\nDjango, PostgreSQL"


def test_a_txt_file_is_decoded_and_tidied():
    data = "Анна   Петрова\r\n\r\nPython  developer\n".encode()
    assert resume_extract_text(name="cv.txt", data=data) == "Анна Петрова\nPython developer"


def test_a_windows_1251_txt_file_is_decoded():
    assert resume_extract_text(name="cv.txt", data="Опыт работы".encode("cp1251")) == "Опыт работы"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cv.pdf", b"just some text pretending to be a PDF"),
        ("cv.docx", b"plain text, not a zip"),
        ("cv.txt", make_pdf("hello")),
        ("cv.pdf", make_docx("hello")),
        ("cv.docx", make_pdf("hello")),
        ("cv.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, data):
    with pytest.raises(ResumeError) as error:
        resume_extract_text(name=name, data=data)
    assert error.value.code == "mismatch"
    assert "does not match" in error.value.message


@pytest.mark.parametrize("name", ["cv.doc", "cv.png", "cv", "cv.pdf.exe"])
def test_other_extensions_are_refused(name):
    with pytest.raises(ResumeError) as error:
        resume_extract_text(name=name, data=b"hello")
    assert error.value.code == "extension"


def test_a_file_over_5_mb_is_refused():
    with pytest.raises(ResumeError) as error:
        resume_extract_text(name="cv.txt", data=b"a" * (MAX_RESUME_BYTES + 1))
    assert error.value.code == "too_large"


def test_an_upload_over_5_mb_is_refused_before_reading():
    upload = SimpleUploadedFile("cv.txt", b"a" * (MAX_RESUME_BYTES + 10), content_type="text/plain")
    with pytest.raises(ResumeError) as error:
        resume_read_upload(upload)
    assert error.value.code == "too_large"


def test_a_broken_pdf_gets_a_clear_error():
    with pytest.raises(ResumeError) as error:
        resume_extract_text(name="cv.pdf", data=b"%PDF-1.4\n garbage")
    assert error.value.code in {"unreadable", "no_text"}


def test_a_file_without_text_is_refused():
    with pytest.raises(ResumeError) as error:
        resume_extract_text(name="cv.txt", data=b"   \n  ")
    assert error.value.code == "no_text"


def test_an_upload_is_left_ready_to_be_saved():
    upload = SimpleUploadedFile("cv.txt", b"Python developer", content_type="text/plain")
    assert resume_read_upload(upload) == "Python developer"
    assert upload.read() == b"Python developer"
