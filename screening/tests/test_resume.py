"""Resume extraction: every kind of file people and attackers send gives text or a clear ResumeError.

The inputs are the real-world-shaped files in ``shared/cases/uploads`` (each with its expected
outcome) and files built here for each kind of fault: zip bombs, deep tables, long PDFs, hidden
text, slow and memory-hungry inputs. Each file goes through the real child process.
"""

import io
import os
import random
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from screening.resume import ResumeError, ResumeText, resume_extract, resume_read_upload

# Beside the checkout, here and in CI.
# A copy of shared/cases/uploads (the real-world files), kept with the tests so any clone runs them.
CASES = Path(__file__).parent / "cases" / "uploads"
UNREADABLE = "We could not read this file. Paste your resume as text."
CODES = {"too_large", "empty", "extension", "mismatch", "not_text", "encoding", "encrypted", "scan", "no_text"}
CODES |= {"unreadable", "timeout", "memory", "too_complex"}


# --- Building files ----------------------------------------------------------------------------


def make_pdf(*pages, compress=False, forms=None, fonts=1, shared=False) -> bytes:
    """A PDF written by hand (pages of 612 x 792 pt), one page per content stream in ``pages`` (str or bytes).

    Every page has the font ``/F1`` (Helvetica, also listed as ``/F2`` ... up to ``fonts``), an 8x8
    gray image ``/Im1`` and the form XObjects ``forms`` (name -> content stream) among its
    resources. With ``shared``, every page shows the first content stream (one object).
    """
    forms = forms or {}

    def stream(content, extra=b""):
        content = content.encode("latin-1") if isinstance(content, str) else content
        if compress:
            content = zlib.compress(content)
            extra += b" /Filter /FlateDecode"
        return b"<< /Length %d%s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"

    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        None,  # the page tree, once the pages have numbers
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length 64 >>\nstream\n" + b"\x80" * 64 + b"\nendstream",
    ]
    form_refs = b""
    for name, content in forms.items():
        objects.append(
            stream(
                content, b" /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
            )
        )
        form_refs += b" /%s %d 0 R" % (name.encode(), len(objects))
    font_refs = b"".join(b" /F%d 3 0 R" % number for number in range(1, fonts + 1))
    objects.append(b"<< /Font <<%s >> /XObject << /Im1 4 0 R%s >> >>" % (font_refs, form_refs))
    resources = b"%d 0 R" % len(objects)  # one object all pages share
    kids = []
    contents = None
    for content in pages:
        if contents is None or not shared:
            objects.append(stream(content))
            contents = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources %s >>"
            % (contents, resources)
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
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


def text_ops(*lines: str, x=72, y=720, size=12) -> str:
    """Content-stream operators that show ``lines`` one under the other."""
    shown = " T* ".join(f"({line}) Tj" for line in lines)
    return f"BT /F1 {size} Tf {size + 2} TL {x} {y} Td {shown} ET\n"


def make_docx(*paragraphs: str) -> bytes:
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
NAMESPACES = (
    f"{W} "
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def docx_from_xml(body: str, *, styles: str | None = None, parts: dict | None = None) -> bytes:
    """A DOCX whose body is the WordprocessingML ``body``; ``parts`` adds more files by name."""
    files = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "word/document.xml": f'<?xml version="1.0"?><w:document {NAMESPACES}><w:body>{body}</w:body></w:document>',
    }
    if styles is not None:
        files["word/styles.xml"] = f'<?xml version="1.0"?><w:styles {W}>{styles}</w:styles>'
    files.update(parts or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def p(text: str, run_properties: str = "", paragraph_properties: str = "") -> str:
    return f"<w:p>{paragraph_properties}<w:r><w:rPr>{run_properties}</w:rPr><w:t>{text}</w:t></w:r></w:p>"


def lie_about_size(data: bytes, name: str, size: int) -> bytes:
    """``data`` (a zip) with the uncompressed size of ``name`` declared as ``size`` in both its headers."""
    data = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, size)  # the local file header
    position = data.find(b"PK\x01\x02")
    while position != -1:  # the central directory
        length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46 : position + 46 + length] == name.encode():
            struct.pack_into("<I", data, position + 24, size)
        position = data.find(b"PK\x01\x02", position + 4)
    return bytes(data)


def worker_children() -> list[int]:
    """Processes reading a resume for this process (Linux): its ``python -m screening.resume_worker``
    children, and the children of its fork server (``resume_worker.pool``), not the fork server itself."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        processes[int(entry.name)] = (parent, command)
    servers = {
        pid for pid, (parent, command) in processes.items() if parent == os.getpid() and b"forkserver" in command
    }
    return [
        pid
        for pid, (parent, command) in processes.items()
        if (parent == os.getpid() or parent in servers) and pid not in servers and b"screening.resume_worker" in command
    ]


def refused(name: str, data: bytes) -> ResumeError:
    with pytest.raises(ResumeError) as error:
        resume_extract(name=name, data=data)
    return error.value


# --- The case files ----------------------------------------------------------------------------

RUSSIAN = "Мария Примерова\nPython-разработчик, Django, PostgreSQL, Celery\nОпыт 5 лет"
# file -> the text found in it (all of these strings) or the code of the ResumeError it gives.
CASE_EXPECTATIONS = {
    "pdf_big_stream_4mb.pdf": "too_complex",
    "pdf_big_stream_16mb.pdf": "too_complex",
    "docx_amplified_40mb.docx": "too_complex",
    "docx_malformed_xml.docx": "unreadable",
    "docx_textbox_skills.docx": [
        "Maria Exampleova",
        "Skills: Django, PostgreSQL, Celery",
        "6 years of commercial Python",
    ],
    "docx_content_control.docx": ["Experience: 6 years Django, PostgreSQL, Celery at Example LLC"],
    "docx_tracked_insertion.docx": ["Stack: Django, PostgreSQL, Celery"],
    "pdf_permissions_only_encrypted.pdf": ["Maria Exampleova", "Python developer, Django, PostgreSQL, Celery"],
    "pdf_user_password.pdf": "encrypted",
    "pdf_newline_before_header.pdf": ["Maria Exampleova", "Python developer, Django, PostgreSQL"],
    "txt_utf16_notepad.txt": [RUSSIAN],
    "txt_koi8r.txt": [RUSSIAN],
    "pdf_scanned_no_text.pdf": "scan",
    "pdf_scanned_watermark.pdf": "scan",
    "pdf_hidden_white_keywords.pdf": ["Olga Testova - junior developer", "Hobbies: chess, hiking."],
    "pdf_plain.pdf": ["Maria Exampleova", "Python developer, Django, PostgreSQL, Celery", "5 years"],
    "txt_utf8.txt": [RUSSIAN],
}


def test_every_case_file_has_an_expectation():
    files = {path.name for path in CASES.iterdir() if path.name != "README.md"}
    assert files == set(CASE_EXPECTATIONS)


@pytest.mark.parametrize("name", sorted(CASE_EXPECTATIONS))
def test_a_case_file_gives_its_text_or_its_error_quickly(name):
    expected = CASE_EXPECTATIONS[name]
    try:
        result = resume_extract(name=name, data=(CASES / name).read_bytes())
    except ResumeError as error:
        result = error
    # Bounded by the work budgets, not by the wall clock (times are in bench/resume_extract.py).
    assert getattr(result, "code", None) != "timeout"
    if isinstance(expected, str):
        assert isinstance(result, ResumeError), result
        assert result.code == expected
        assert result.message
    else:
        assert isinstance(result, ResumeText), result
        for fragment in expected:
            assert fragment in result.text


def test_the_white_one_point_keywords_are_hidden_text_not_resume_text():
    result = resume_extract(name="cv.pdf", data=(CASES / "pdf_hidden_white_keywords.pdf").read_bytes())
    assert "Kubernetes" not in result.text
    assert "senior backend engineer" not in result.text
    assert "Python Django PostgreSQL Celery Redis Docker Kubernetes" in result.hidden_text
    assert "Olga Testova" not in result.hidden_text


def test_a_text_box_is_read_once():
    text = resume_extract(name="cv.docx", data=(CASES / "docx_textbox_skills.docx").read_bytes()).text
    assert text.count("Skills: Django, PostgreSQL, Celery") == 1


def test_case_files_give_the_clear_messages():
    assert refused("cv.docx", (CASES / "docx_malformed_xml.docx").read_bytes()).message == UNREADABLE
    assert refused("cv.pdf", (CASES / "pdf_big_stream_16mb.pdf").read_bytes()).message == UNREADABLE
    assert "password-protected" in refused("cv.pdf", (CASES / "pdf_user_password.pdf").read_bytes()).message
    assert refused("cv.pdf", (CASES / "pdf_scanned_watermark.pdf").read_bytes()).message == (
        "This looks like a scan; paste your resume as text."
    )


@pytest.mark.parametrize("name", ["pdf_plain.pdf", "docx_textbox_skills.docx", "pdf_permissions_only_encrypted.pdf"])
def test_damaged_copies_of_a_case_file_give_text_or_a_resume_error(name):
    data = (CASES / name).read_bytes()
    rng = random.Random(name)
    damaged = [data[: len(data) * share // 4] for share in (1, 2, 3)]
    for _ in range(4):
        copy = bytearray(data)
        for _ in range(20):
            copy[rng.randrange(len(copy))] = rng.randrange(256)
        damaged.append(bytes(copy))
    for copy in damaged:
        try:
            result = resume_extract(name=name, data=copy)
        except ResumeError as error:
            assert error.code in CODES
            assert error.message
        else:
            assert isinstance(result, ResumeText)


# --- Formats -----------------------------------------------------------------------------------


def test_text_comes_out_of_a_pdf():
    result = resume_extract(name="cv.PDF", data=make_pdf(text_ops("Senior Python developer")))
    assert result == ResumeText(text="Senior Python developer", hidden_text="")


def test_text_comes_out_of_a_docx():
    result = resume_extract(name="cv.docx", data=make_docx("Anna Petrova", "Django, PostgreSQL"))
    assert result == ResumeText(text="Anna Petrova\nDjango, PostgreSQL", hidden_text="")


def test_a_txt_file_is_decoded_and_tidied():
    data = "Анна   Петрова\r\n\r\nPython  developer\x07\u200b\n".encode()
    assert resume_extract(name="cv.txt", data=data).text == "Анна Петрова\nPython developer"


def test_a_pdf_header_after_some_junk_is_accepted():
    data = b"\r\n\x00junk\n" + make_pdf(text_ops("Anna Petrova, Django developer"))
    assert resume_extract(name="cv.pdf", data=data).text == "Anna Petrova, Django developer"


def test_a_pdf_of_many_pages_is_read_in_order():
    data = make_pdf(text_ops("Page one: Anna Petrova"), text_ops("Page two: Django"), compress=True)
    assert resume_extract(name="cv.pdf", data=data).text == "Page one: Anna Petrova\nPage two: Django"


# --- Encodings ---------------------------------------------------------------------------------

RESUME_RU = "Иван Иванов\nРазработчик на Python, опыт работы пять лет.\nНавыки: Django, PostgreSQL, Celery.\n"
RESUME_FR = "Hélène Dupré\nDéveloppeuse Python, expérience en développement web à Paris.\n"
RESUME_ES = "Señor Ñuñez García\nIngeniería de software, diseño y programación.\n"
RESUME_DE = "José Müller\nEntwickler für Python, Größe der Teams: 5.\n"


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (RESUME_RU, "cp1251"),
        (RESUME_RU, "koi8_r"),
        (RESUME_RU, "cp866"),
        (RESUME_FR, "cp1252"),
        (RESUME_ES, "cp1252"),
        (RESUME_DE, "cp1252"),
        (RESUME_RU, "utf-16"),  # with a BOM
        (RESUME_RU, "utf-32"),
        (RESUME_RU, "utf-8-sig"),
        (RESUME_RU, "utf-16-be"),
    ],
)
def test_a_txt_file_in_a_common_encoding_comes_out_exactly(text, encoding):
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    assert resume_extract(name="cv.txt", data=data).text == text.strip()


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Опыт работы", "cp1251"),
        ("Опыт работы", "mac_cyrillic"),
        ("Опыт работы", "iso8859_5"),
        ("ИВАН ИВАНОВ\nРАЗРАБОТЧИК", "koi8_r"),
        ("Ёжиков Пётр, ещё 3 года", "iso8859_5"),
        ("Café", "cp1252"),
        ("Καλημέρα, είμαι προγραμματιστής Python", "cp1253"),
        (RESUME_RU, "mac_cyrillic"),
    ],
)
def test_an_ambiguous_legacy_txt_file_is_read_right_or_refused_never_garbled(text, encoding):
    try:
        result = resume_extract(name="cv.txt", data=text.encode(encoding))
    except ResumeError as error:
        assert error.code == "encoding"
        assert "UTF-8" in error.message
    else:
        assert result.text == text.strip()


def test_binary_noise_named_txt_is_refused():
    rng = random.Random(1)
    noise = bytes(rng.randrange(128, 256) for _ in range(3000))
    assert refused("cv.txt", noise).code in {"encoding", "not_text"}
    assert refused("cv.txt", b"text\x00with\x00nul").code == "not_text"


# --- Hidden text in PDFs -----------------------------------------------------------------------

VISIBLE = text_ops("Anna Petrova, junior developer", "Experience: two school projects")


@pytest.mark.parametrize(
    "hiding",
    [
        pytest.param("1 1 1 rg " + text_ops("Kubernetes Terraform", y=600), id="white"),
        pytest.param("0.97 g " + text_ops("Kubernetes Terraform", y=600), id="near-white-gray"),
        pytest.param("0 0 0 0 k " + text_ops("Kubernetes Terraform", y=600), id="white-cmyk"),
        pytest.param(text_ops("Kubernetes Terraform", y=600, size=1), id="tiny"),
        pytest.param("q 0.1 0 0 0.1 0 0 cm " + text_ops("Kubernetes Terraform", y=6000) + "Q ", id="scaled-tiny"),
        pytest.param("BT 3 Tr /F1 12 Tf 72 600 Td (Kubernetes Terraform) Tj ET 0 Tr ", id="invisible-mode"),
        pytest.param(text_ops("Kubernetes Terraform", x=900, y=600), id="right-of-the-page"),
        pytest.param(text_ops("Kubernetes Terraform", y=-200), id="below-the-page"),
        pytest.param(
            "q 0 0 1 rg 0 0 612 792 re f Q 0 0 1 rg " + text_ops("Kubernetes Terraform", y=600), id="blue-on-blue"
        ),
        pytest.param("/Fm1 Do ", id="white-in-a-form"),
    ],
)
def test_text_a_person_cannot_see_goes_to_hidden_text(hiding):
    form = "1 1 1 rg " + text_ops("Kubernetes Terraform", y=600)
    result = resume_extract(name="cv.pdf", data=make_pdf(VISIBLE + hiding, forms={"Fm1": form}))
    assert result.text == "Anna Petrova, junior developer\nExperience: two school projects"
    assert result.hidden_text == "Kubernetes Terraform"


def test_hidden_text_in_the_middle_of_a_line_is_split_off():
    ops = "BT /F1 12 Tf 72 700 Td (Anna Petrova, Python developer ) Tj 1 1 1 rg (Kubernetes Terraform) Tj ET"
    result = resume_extract(name="cv.pdf", data=make_pdf(ops))
    assert result.text == "Anna Petrova, Python developer"
    assert result.hidden_text == "Kubernetes Terraform"


@pytest.mark.parametrize(
    "ops",
    [
        pytest.param(
            "q 0.1 0.2 0.4 rg 0 700 612 60 re f Q 1 1 1 rg " + text_ops("Anna Petrova", y=720), id="on-a-dark-band"
        ),
        pytest.param("q 0 0 0 rg 0 0 60 792 re f Q 1 1 1 rg " + text_ops("Anna Petrova", x=10), id="in-a-dark-sidebar"),
        pytest.param("0.6 0.6 0.6 rg " + text_ops("Anna Petrova"), id="light-gray"),
        pytest.param("1 0 0 rg " + text_ops("Anna Petrova"), id="red"),
        pytest.param(
            "q 500 0 0 700 40 50 cm /Im1 Do Q BT 3 Tr /F1 12 Tf 72 600 Td (Anna Petrova) Tj ET",
            id="ocr-layer-of-a-scan",
        ),
    ],
)
def test_text_a_person_sees_stays_in_the_text(ops):
    more = text_ops(
        "Python developer: Django, PostgreSQL, Celery, Redis, Docker, Kubernetes",
        "Five years of building services for banks and shops in Moscow and Kazan",
        "English at work, Russian native, ready to relocate",
        y=150,
    )
    result = resume_extract(name="cv.pdf", data=make_pdf(f"q {ops} Q {more}"))
    assert "Anna Petrova" in result.text
    assert result.hidden_text == ""


# --- Scans -------------------------------------------------------------------------------------

FULL_PAGE_IMAGE = "q 560 0 0 760 26 16 cm /Im1 Do Q "


@pytest.mark.parametrize(
    "ops",
    [
        pytest.param(FULL_PAGE_IMAGE, id="image-only"),
        pytest.param(FULL_PAGE_IMAGE + text_ops("Scanned with CamScanner", y=20, size=7), id="watermark"),
        pytest.param(
            FULL_PAGE_IMAGE + text_ops("Created with Adobe Scan - adobe.com/scan", y=20), id="other-watermark"
        ),
    ],
)
def test_a_scan_is_refused_with_the_scan_message(ops):
    error = refused("cv.pdf", make_pdf(ops, ops))
    assert error.code == "scan"
    assert error.message == "This looks like a scan; paste your resume as text."


def test_a_short_real_resume_is_not_a_scan():
    assert resume_extract(name="cv.pdf", data=make_pdf(text_ops("Anna Petrova", "Python developer"))).text == (
        "Anna Petrova\nPython developer"
    )
    words = " ".join(["Python Django PostgreSQL developer"] * 6)
    with_photo_background = FULL_PAGE_IMAGE + text_ops("Anna Petrova", words)
    assert "Anna Petrova" in resume_extract(name="cv.pdf", data=make_pdf(with_photo_background)).text


def test_a_pdf_without_any_text_or_picture_has_no_text():
    assert refused("cv.pdf", make_pdf("0 0 m 100 100 l S")).code == "no_text"


# --- DOCX structure ----------------------------------------------------------------------------


def test_tables_nested_three_deep_are_read_in_order():
    document = Document()
    document.add_paragraph("Anna Petrova")
    outer = document.add_table(rows=1, cols=2)
    outer.cell(0, 0).text = "Skills"
    middle = outer.cell(0, 1).add_table(rows=1, cols=2)
    middle.cell(0, 0).text = "Backend"
    inner = middle.cell(0, 1).add_table(rows=2, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "Django", "6 years"
    inner.cell(1, 0).text, inner.cell(1, 1).text = "PostgreSQL", "5 years"
    document.add_paragraph("References on request")
    out = io.BytesIO()
    document.save(out)
    text = resume_extract(name="cv.docx", data=out.getvalue()).text
    assert text.splitlines()[0] == "Anna Petrova"
    assert text.splitlines()[-1] == "References on request"
    for fragment in ("Skills", "Backend", "Django | 6 years", "PostgreSQL | 5 years"):
        assert text.count(fragment) == 1, fragment
    assert text.index("Skills") < text.index("Backend") < text.index("Django") < text.index("PostgreSQL")


def test_docx_reading_order_takes_one_alternate_content_branch_insertions_and_no_deletions():
    textbox = "<w:txbxContent>" + p("Skills: Django, Celery") + "</w:txbxContent>"
    body = (
        p("Anna Petrova")
        + '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp><wps:txbx>'
        + textbox
        + "</wps:txbx></wps:wsp></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox>"
        + textbox
        + "</v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
        + '<w:p><w:r><w:t xml:space="preserve">Stack: </w:t></w:r><w:ins w:id="1"><w:r><w:t>Python</w:t></w:r></w:ins>'
        + '<w:del w:id="2"><w:r><w:delText>COBOL</w:delText></w:r></w:del></w:p>'
        + '<w:sdt><w:sdtPr><w:alias w:val="Experience"/></w:sdtPr><w:sdtContent>'
        + p("Experience: 6 years")
        + "</w:sdtContent></w:sdt>"
    )
    header = f"<w:hdr {W}><w:p><w:r><w:t>anna@example.test</w:t></w:r></w:p></w:hdr>"
    footer = f"<w:ftr {W}><w:p><w:r><w:t>Page 1</w:t></w:r></w:p></w:ftr>"
    data = docx_from_xml(body, parts={"word/header1.xml": header, "word/footer1.xml": footer})
    assert resume_extract(name="cv.docx", data=data).text == (
        "anna@example.test\nAnna Petrova\nSkills: Django, Celery\nStack: Python\nExperience: 6 years\nPage 1"
    )


@pytest.mark.parametrize(
    ("run_properties", "styles"),
    [
        pytest.param("<w:vanish/>", None, id="vanish"),
        pytest.param('<w:color w:val="FFFFFF"/>', None, id="white"),
        pytest.param('<w:color w:val="FAFAFA"/>', None, id="near-white"),
        pytest.param('<w:sz w:val="2"/>', None, id="one-point"),
        pytest.param(
            '<w:rStyle w:val="Stuffing"/>',
            '<w:style w:type="character" w:styleId="Base"><w:rPr><w:vanish/></w:rPr></w:style>'
            '<w:style w:type="character" w:styleId="Stuffing"><w:basedOn w:val="Base"/></w:style>',
            id="vanish-from-a-style",
        ),
    ],
)
def test_docx_runs_a_person_cannot_see_go_to_hidden_text(run_properties, styles):
    body = p("Anna Petrova, junior developer") + p("Kubernetes Terraform", run_properties)
    result = resume_extract(name="cv.docx", data=docx_from_xml(body, styles=styles))
    assert result.text == "Anna Petrova, junior developer"
    assert result.hidden_text == "Kubernetes Terraform"


def test_docx_white_text_on_a_shaded_cell_or_paragraph_is_visible():
    white = '<w:color w:val="FFFFFF"/>'
    body = (
        '<w:tbl><w:tr><w:tc><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F3864"/></w:tcPr>'
        + p("Anna Petrova", white)
        + "</w:tc></w:tr></w:tbl>"
        + p("Python developer", white, '<w:pPr><w:shd w:val="clear" w:fill="333333"/></w:pPr>')
    )
    result = resume_extract(name="cv.docx", data=docx_from_xml(body))
    assert result == ResumeText(text="Anna Petrova\nPython developer", hidden_text="")


FILL_FROM_STYLE = '<wps:style><a:fillRef idx="1"/></wps:style>'


def text_box(shape_properties: str, style: str = "") -> str:
    """A paragraph anchoring a text box with white text, the box filled as ``shape_properties`` say."""
    return (
        '<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:wsp>'
        f"<wps:spPr>{shape_properties}</wps:spPr>{style}<wps:txbx><w:txbxContent>"
        + p("Skills: Django", '<w:color w:val="FFFFFF"/>')
        + "</w:txbxContent></wps:txbx></wps:wsp></w:drawing></mc:Choice></mc:AlternateContent></w:r></w:p>"
    )


@pytest.mark.parametrize(
    ("box", "seen"),
    [
        pytest.param(text_box('<a:solidFill><a:srgbClr val="1F3864"/></a:solidFill>'), True, id="dark-fill"),
        pytest.param(text_box("", FILL_FROM_STYLE), True, id="fill-from-its-style"),
        pytest.param(text_box('<a:solidFill><a:schemeClr val="lt1"/></a:solidFill>', FILL_FROM_STYLE), False, id="lt1"),
        pytest.param(text_box("<a:noFill/>"), False, id="no-fill"),
    ],
)
def test_docx_white_text_in_a_text_box_is_seen_only_on_a_coloured_fill(box, seen):
    result = resume_extract(name="cv.docx", data=docx_from_xml(p("Anna Petrova") + box))
    if seen:
        assert result == ResumeText(text="Anna Petrova\nSkills: Django", hidden_text="")
    else:
        assert result == ResumeText(text="Anna Petrova", hidden_text="Skills: Django")


def test_docx_with_entities_or_a_dtd_is_not_expanded():
    body = p("Anna Petrova &bomb;")
    document = (
        '<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY bomb "' + "A" * 1000 + '">]>'
        f"<w:document {NAMESPACES}><w:body>{body}</w:body></w:document>"
    )
    data = docx_from_xml("", parts={"word/document.xml": document})
    try:
        result = resume_extract(name="cv.docx", data=data)
    except ResumeError as error:
        assert error.code == "unreadable"
    else:
        assert "AAAA" not in result.text


# --- Limits ------------------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.RESUME_MAX_BYTES = 1024
    assert refused("cv.txt", b"a" * 1025).code == "too_large"
    settings.RESUME_MAX_BYTES = 5 * 1024 * 1024
    assert refused("cv.txt", b"a" * (5 * 1024 * 1024 + 1)).message == "The file is larger than 5 MB."


def test_an_upload_over_the_size_limit_is_refused_before_reading(settings):
    settings.RESUME_MAX_BYTES = 1024
    upload = SimpleUploadedFile("cv.txt", b"a" * 2000, content_type="text/plain")
    with pytest.raises(ResumeError) as error:
        resume_read_upload(upload)
    assert error.value.code == "too_large"
    assert upload.tell() == 0


def test_a_pdf_longer_than_the_page_cap_is_read_up_to_the_cap(settings):
    settings.RESUME_MAX_PAGES = 2
    data = make_pdf(text_ops("Page one Anna"), text_ops("Page two Django"), text_ops("Page three Kubernetes"))
    assert resume_extract(name="cv.pdf", data=data) == ResumeText(text="Page one Anna\nPage two Django")


def test_the_text_is_cut_at_the_character_cap(settings):
    settings.RESUME_MAX_CHARS = 20
    assert resume_extract(name="cv.txt", data=b"Anna Petrova\nPython developer").text == "Anna Petrova\nPython"
    assert resume_extract(name="cv.docx", data=make_docx("Anna Petrova", "Python developer")).text == (
        "Anna Petrova\nPython"
    )
    long_pdf = make_pdf(text_ops("Anna Petrova", "Python developer"), text_ops("Page two"))
    assert resume_extract(name="cv.pdf", data=long_pdf).text == "Anna Petrova\nPython"


def test_a_docx_zip_bomb_lying_about_its_size_is_stopped_by_the_inflate_counter(settings):
    settings.RESUME_MAX_DECOMPRESSED_BYTES = 1024 * 1024
    body = p("Anna Petrova") + "<w:p><w:r><w:rPr><w:b/></w:rPr></w:r></w:p>" * 100_000  # 4 MB, ~10 KB zipped
    data = lie_about_size(docx_from_xml(body), "word/document.xml", 1000)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml").file_size == 1000
    assert refused("cv.docx", data).code == "too_complex"


def test_a_docx_declaring_more_than_the_inflate_cap_is_refused(settings):
    settings.RESUME_MAX_DECOMPRESSED_BYTES = 64 * 1024
    assert refused("cv.docx", docx_from_xml(p("Anna Petrova") * 3000)).code == "too_complex"
    assert resume_extract(name="cv.docx", data=docx_from_xml(p("Anna Petrova") * 10)).text.startswith("Anna")


def test_a_pdf_stream_inflating_past_the_cap_is_refused(settings):
    settings.RESUME_MAX_DECOMPRESSED_BYTES = 64 * 1024
    heavy = text_ops("Anna Petrova") + "10 10 m 20 20 l S\n" * 5000  # 90 KB inflated
    error = refused("cv.pdf", make_pdf(heavy, compress=True))
    assert (error.code, error.message) == ("too_complex", UNREADABLE)


def test_a_slow_file_is_stopped_at_the_wall_clock_and_its_process_is_killed(settings):
    settings.RESUME_EXTRACT_SECONDS = 0.25
    # Twelve pages of 200 KB of drawing: within every cap, and the whole work budget (~0.6 s here).
    page = text_ops("Anna Petrova") + "10 10 m 20 20 l S\n" * 12000
    data = make_pdf(*[page] * 12, compress=True)
    started = time.monotonic()
    error = refused("cv.pdf", data)
    elapsed = time.monotonic() - started
    assert (error.code, error.message) == ("timeout", UNREADABLE)
    assert elapsed >= 0.25
    if Path("/proc/self/stat").exists():
        assert worker_children() == []


def test_a_memory_hungry_file_is_stopped_at_the_memory_limit(settings):
    settings.RESUME_EXTRACT_MEMORY_MB = 48
    error = refused("cv.pdf", (CASES / "pdf_big_stream_16mb.pdf").read_bytes())
    assert (error.code, error.message) == ("memory", UNREADABLE)


# --- Small crafted files that cost much: each answers in well under the wall clock -------------


def answer(name: str, data: bytes) -> ResumeText | ResumeError:
    """What ``resume_extract`` gives for the file, text or error, checking that a work budget (not the
    wall clock) ended it: these took 4-10 s, holding a worker, before the budgets (times: bench/)."""
    try:
        result = resume_extract(name=name, data=data)
    except ResumeError as error:
        result = error
    assert getattr(result, "code", None) != "timeout"
    return result


WHITE_AB = "1 1 1 rg\n" + "BT /F1 12 Tf 72 700 Td (ab) Tj ET\n" * 29_000  # ~1 MB, 290k tokens, 3 KB deflated


def test_pages_sharing_one_big_stream_of_white_text_answer_quickly():
    data = make_pdf(*[text_ops("Ivan Tokens, Python developer") + WHITE_AB] * 30, compress=True, shared=True)
    assert len(data) < 10_000
    result = answer("cv.pdf", data)
    assert (result.code, result.message) == ("too_complex", UNREADABLE)


def test_pages_sharing_a_million_bytes_of_visible_tiny_text_answer_quickly():
    page = text_ops("Ivan Tokens, Python developer") + "BT /F1 12 Tf 72 700 Td (ab) Tj ET\n" * 29_000
    result = answer("cv.pdf", make_pdf(*[page] * 20, compress=True, shared=True))
    assert (result.code, result.message) == ("too_complex", UNREADABLE)  # was 100k characters of "ab" after 3.9 s


def test_pages_past_the_work_budget_are_ignored_like_pages_past_the_page_cap():
    # 29 different pages of drawing after the resume: 1.2M tokens, each page under every cap.
    drawing = "10 10 m 20 20 l S\n" * 6000
    pages = [text_ops("Anna Petrova", "Django developer")] + [f"{drawing}% {n}\n" for n in range(29)]
    assert answer("cv.pdf", make_pdf(*pages, compress=True)) == ResumeText(text="Anna Petrova\nDjango developer")


def test_a_form_used_many_times_answers_quickly():
    form = "BT /F1 12 Tf 72 700 Td (ab) Tj ET\n" * 15_000
    data = make_pdf(text_ops("Anna Petrova") + "/Fm1 Do\n" * 200, forms={"Fm1": form}, compress=True)
    result = answer("cv.pdf", data)
    assert (result.code, result.message) == ("too_complex", UNREADABLE)


def test_pages_listing_thousands_of_fonts_answer_quickly():
    data = make_pdf(*[text_ops("Anna Petrova, Django developer")] * 30, fonts=5000)
    result = answer("cv.pdf", data)
    assert isinstance(result, ResumeText)
    assert result.text.startswith("Anna Petrova, Django developer")  # the pages read before the budget ran out


def pdf_with_pages_in_an_object_stream(pages: int, junk: int) -> bytes:
    """A PDF 1.5 whose page objects lie deflated in an object stream, each with an array of ``junk`` zeros."""
    content = b"BT /F1 12 Tf 72 720 Td (Anna Petrova, Django developer) Tj ET"
    kids = b" ".join(b"%d 0 R" % (5 + n) for n in range(pages))
    plain = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
    ]
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
    page += b"/Resources << /Font << /F1 3 0 R >> >> /Junk [%s] >>\n" % (b"0 " * junk)
    head = b" ".join(b"%d %d" % (5 + n, n * len(page)) for n in range(pages)) + b"\n"
    packed = zlib.compress(head + page * pages)
    stream_number = 5 + pages
    plain_objects = dict(enumerate(plain, start=1))
    sizes = (pages, len(head), len(packed))
    dictionary = b"<< /Type /ObjStm /N %d /First %d /Length %d /Filter /FlateDecode >>" % sizes
    plain_objects[stream_number] = b"%s\nstream\n%s\nendstream" % (dictionary, packed)
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    offsets = {}
    for number, body in plain_objects.items():
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    xref_number, xref_offset = stream_number + 1, out.tell()
    rows = [b"\x00\x00\x00\x00\xff\xff"]
    for number in range(1, xref_number + 1):
        if number in offsets:
            rows.append(b"\x01" + struct.pack(">I", offsets[number]) + b"\x00")
        elif number < stream_number:
            rows.append(b"\x02" + struct.pack(">I", stream_number) + bytes([number - 5]))
        else:
            rows.append(b"\x01" + struct.pack(">I", xref_offset) + b"\x00")
    table = b"".join(rows)
    out.write(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 1] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n"
        % (xref_number, xref_number + 1, len(table), table)
    )
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref_offset)
    return out.getvalue()


def test_a_cost_no_budget_counts_stops_at_the_cpu_deadline():
    # 30 pages whose dictionaries, 3.6 MB of syntax, are packed in 7 KB: pypdf parsed them for 4.9 s.
    data = pdf_with_pages_in_an_object_stream(30, junk=60_000)
    assert len(data) < 10_000
    result = answer("cv.pdf", data)
    assert (result.code, result.message) == ("too_complex", UNREADABLE)
    assert (
        resume_extract(name="cv.pdf", data=pdf_with_pages_in_an_object_stream(3, junk=10)).text
        == ("Anna Petrova, Django developer\n" * 3).strip()
    )


def test_a_5_mb_text_in_a_legacy_codepage_answers_quickly_with_its_text():
    text = "".join(
        f"Строка {n}: Иван Иванов, разработчик на Python, опыт {n % 17} лет; проект номер {n * 7919 % 100_000}.\n"
        for n in range(60_000)
    )
    result = answer("cv.txt", text.encode("cp1251")[:4_900_000])
    assert result == ResumeText(text=text[:100_000])  # took 2.7 s, weighing the codepages of all 5 MB


def test_a_docx_of_a_million_one_letter_runs_answers_quickly():
    body = "<w:p>" + "<w:r><w:t>a</w:t></w:r>" * 880_000 + "</w:p>" + p("Ivan Runs, Python developer")
    data = docx_from_xml(body)
    assert len(data) < 100_000
    result = answer("cv.docx", data)
    assert (result.code, result.message) == ("too_complex", UNREADABLE)


def test_a_docx_past_the_element_budget_keeps_the_lines_read_before():
    body = p("Anna Petrova, Django developer") + "<w:p>" + "<w:r><w:t>a</w:t></w:r>" * 300_000 + "</w:p>"
    assert answer("cv.docx", docx_from_xml(body)) == ResumeText(text="Anna Petrova, Django developer")


@pytest.mark.parametrize(
    ("name", "data"),
    [
        pytest.param("cv.txt", b"ab\n" * 30_000, id="txt"),
        pytest.param("cv.txt", (RESUME_RU * 4).encode() + b"ab\n" * 3000, id="txt-under-a-resume"),
        pytest.param("cv.pdf", make_pdf(text_ops("Anna Petrova", *["ab " * 40] * 60, y=760, size=8)), id="pdf"),
        pytest.param("cv.docx", docx_from_xml(p("Anna Petrova") + p("Python ") * 3000), id="docx"),
    ],
)
def test_text_that_is_one_small_pattern_repeated_is_refused(name, data):
    error = refused(name, data)
    assert (error.code, error.message) == ("repetitive", UNREADABLE)


def test_long_varied_text_is_not_taken_for_repetition():
    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    lines = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(1500)]  # ~100k characters
    text = resume_extract(name="cv.txt", data="\n".join(lines).encode()).text
    assert text == "\n".join(lines)[: len(text)]
    assert len(text) > 50_000


# --- Checks before parsing ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("cv.pdf", b"just some text pretending to be a PDF"),
        ("cv.docx", b"plain text, not a zip"),
        ("cv.txt", make_pdf(text_ops("hello"))),
        ("cv.txt", b"\n\n" + make_pdf(text_ops("hello"))),
        ("cv.pdf", make_docx("hello")),
        ("cv.docx", make_pdf(text_ops("hello"))),
        ("cv.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, data):
    error = refused(name, data)
    assert error.code == "mismatch"
    assert "does not match" in error.message


def zip_of(entries) -> bytes:
    """A zip of ``entries`` ((name, content) pairs), in that order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries:
            archive.writestr(name, content)
    return out.getvalue()


def case_docx_entries() -> dict[str, bytes]:
    with zipfile.ZipFile(CASES / "docx_textbox_skills.docx") as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def in_folder_order(*folders: str) -> bytes:
    """The case DOCX zipped again folder by folder, as ``zip -r -X out.docx '[Content_Types].xml' _rels ...`` does."""
    entries = case_docx_entries()
    rank = {folder: number for number, folder in enumerate(folders)}
    return zip_of(sorted(entries.items(), key=lambda entry: rank[entry[0].split("/")[0]]))


def with_thumbnail_third() -> bytes:
    """The case DOCX with a 30 KB thumbnail as its third entry (past the first 8 KB of the file)."""
    entries = [entry for entry in case_docx_entries().items() if entry[0] != "docProps/thumbnail.jpeg"]
    thumbnail = ("docProps/thumbnail.jpeg", random.Random(3).randbytes(30 * 1024))
    return zip_of([*entries[:2], thumbnail, *entries[2:]])


RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
SHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def package(main: str, content_type: str, content: str) -> bytes:
    """An OPC package whose officeDocument relationship points to ``main``, declared as ``content_type``."""
    types = (
        f'<?xml version="1.0"?><Types xmlns="{TYPES_NS}"><Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main}" ContentType="{content_type}"/></Types>'
    )
    rels = (
        f'<?xml version="1.0"?><Relationships xmlns="{RELS_NS}">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOCUMENT}" Target="/{main}"/></Relationships>'
    )
    return zip_of([("[Content_Types].xml", types), ("_rels/.rels", rels), (main, content)])


WORD_DOCUMENT = (
    f'<?xml version="1.0"?><w:document {W}><w:body>{p("Anna Petrova, Django developer")}</w:body></w:document>'
)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            in_folder_order("[Content_Types].xml", "_rels", "docProps", "customXml", "word"), id="folder-order"
        ),
        pytest.param(with_thumbnail_third(), id="thumbnail-third"),
    ],
)
def test_a_docx_is_recognised_wherever_its_parts_lie_in_the_zip(data):
    assert "Maria Exampleova" in Document(io.BytesIO(data)).paragraphs[0].text  # a valid document
    text = resume_extract(name="cv.docx", data=data).text
    assert "Skills: Django, PostgreSQL, Celery" in text


def test_a_docx_whose_main_part_has_another_name_is_read_from_its_relationships():
    data = package("word/document2.xml", WORD_MAIN, WORD_DOCUMENT)
    assert resume_extract(name="cv.docx", data=data).text == "Anna Petrova, Django developer"


def many_entries(count: int, declared: int | None = None) -> bytes:
    """A DOCX with ``count`` more entries; its end record declaring ``declared`` entries if given."""
    entries = [*case_docx_entries().items(), *((f"x/{n}", b"") for n in range(count))]
    data = bytearray(zip_of(entries))
    if declared is not None:
        end = data.rfind(b"PK\x05\x06")
        struct.pack_into("<HH", data, end + 8, declared, declared)
    return bytes(data)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(zip_of([("notes.txt", "Anna Petrova, Django developer")]), id="plain-zip"),
        pytest.param(zip_of([("[Content_Types].xml", "<Types/>"), ("word/styles.xml", "<x/>")]), id="no-document"),
        pytest.param(package("xl/workbook.xml", SHEET_MAIN, "<workbook/>"), id="spreadsheet"),
        pytest.param(many_entries(1000), id="over-1000-entries"),
        pytest.param(many_entries(3000, declared=20), id="lying-about-its-entries"),
        pytest.param(zip_of([("word/document.xml", WORD_DOCUMENT)]), id="no-content-types"),
        pytest.param(
            zip_of([("[Content_Types].xml", "<Types/>"), ("_rels/.rels", "<Relationship Type='x' " * 4000)]),
            id="relationships-never-closed",
        ),
    ],
)
def test_a_zip_that_is_not_a_word_document_is_refused_as_not_matching(data):
    error = refused("cv.docx", data)  # decided from the zip's directory, before any worker starts
    assert (error.code, error.message) == ("mismatch", "The file's content does not match its extension “.docx”.")


@pytest.mark.parametrize("name", ["cv.doc", "cv.png", "cv", "cv.pdf.exe"])
def test_other_extensions_are_refused(name):
    assert refused(name, b"hello").code == "extension"


def test_an_empty_file_is_refused():
    assert refused("cv.pdf", b"").code == "empty"


def test_a_broken_pdf_gets_a_clear_error():
    error = refused("cv.pdf", b"%PDF-1.4\n garbage")
    assert (error.code, error.message) == ("unreadable", UNREADABLE)


def test_a_file_without_text_is_refused():
    assert refused("cv.txt", b"   \n  ").code == "no_text"
    assert refused("cv.docx", docx_from_xml(p(""))).code == "no_text"


def test_an_upload_is_left_ready_to_be_saved():
    upload = SimpleUploadedFile("cv.txt", b"Python developer", content_type="text/plain")
    assert resume_read_upload(upload) == ResumeText(text="Python developer")
    assert upload.read() == b"Python developer"


def test_a_refused_upload_is_left_at_the_start_too():
    upload = SimpleUploadedFile("cv.pdf", b"%PDF-1.4\n garbage", content_type="application/pdf")
    with pytest.raises(ResumeError):
        resume_read_upload(upload)
    assert upload.tell() == 0
