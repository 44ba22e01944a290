"""The HTTP bench's data and request bodies: a recruiter with a JWT and a session on a seeded company, a
generated resume PDF, and the apply form's multipart body (Django set up first for ``seed_http``)."""

from __future__ import annotations

import random
import secrets

# Words of the generated resume: varied enough that the extraction's "repetitive text" check passes.
_WORDS = (
    "Python Django PostgreSQL Redis Celery Kubernetes Docker billing search payments reports service API "
    "queue cache index migration latency throughput team review release tests monitoring alerts customers "
    "orders invoices warehouse delivery analytics dashboard backend frontend integration partners mobile"
)


def resume_pdf(*, size: int, seed: int = 17) -> bytes:
    """A valid one-page PDF of about ``size`` bytes (at least the text page) whose text is a resume.

    The page shows ~60 lines of varied text in Helvetica (extractable, not repetitive, no images: the upload
    checks accept it as a text resume). The bulk is an incompressible stream object no page references, as
    fonts and images pad real resumes: it travels in the upload but the text extraction never decodes it.
    """
    rng = random.Random(seed)
    words = _WORDS.split()
    lines = ["Anna Petrova, Python developer", "Moscow, +7 900 123-45-67"]
    for year in range(2010, 2026):
        for _ in range(4):
            lines.append(f"{year}: " + " ".join(rng.choice(words) for _ in range(rng.randint(6, 10))))
    text = "BT /F1 9 Tf 11 TL 40 800 Td " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    content = text.encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    fixed = sum(len(o) + 20 for o in objects) + 400  # headers, xref and trailer, generously
    padding = rng.randbytes(max(0, size - fixed))
    objects.append(b"<< /Length %d >>\nstream\n" % len(padding) + padding + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def multipart(*, fields: list[tuple[str, str]], file_field: str, filename: str, data: bytes) -> tuple[bytes, str]:
    """``(body, content_type)`` of a ``multipart/form-data`` POST as a browser sends the apply form."""
    boundary = "----SmartBotBench" + secrets.token_hex(8)
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        f"Content-Type: application/pdf\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def apply_body(*, csrf_token: str, email: str, pdf: bytes) -> tuple[bytes, str]:
    """The apply form's POST (every required field, both consents, the honeypot empty) with ``pdf`` attached."""
    fields = [
        ("csrfmiddlewaretoken", csrf_token),
        ("full_name", "Anna Petrova"),
        ("email", email),
        ("phone", "+7 900 123-45-67"),
        ("city", "Moscow"),
        ("resume_text", ""),
        ("consent", "on"),
        ("ai_consent", "on"),
        ("website", ""),
    ]
    return multipart(fields=fields, file_field="resume_file", filename="resume.pdf", data=pdf)


def seed_http(*, responses: int) -> dict:
    """A fresh company and vacancy with ``responses`` responses (``seeding.seed``), and a recruiter of it.

    Returns the ids and slugs the targets need and the recruiter's credentials: ``jwt`` (an access token,
    as ``POST /api/v1/auth/token/`` gives), ``session`` (a signed-in session key, as the sign-in page
    leaves) and ``csrf`` (a CSRF secret the bench sends as both cookie and form field, as a browser would).
    """
    from django.conf import settings
    from django.test import Client

    from accounts.models import Role, User
    from accounts.tokens import VersionedRefreshToken
    from screening.models import Response

    from .seeding import seed

    chats = seed(responses=responses, label="http")
    vacancy = Response.objects.select_related("vacancy__company").get(pk=chats[0]["response_id"]).vacancy
    company = vacancy.company
    recruiter = User.objects.create_user(
        email=f"recruiter@{company.slug}.bench.test", company=company, role=Role.RECRUITER
    )
    browser = Client()
    browser.force_login(recruiter)
    return {
        "company_slug": company.slug,
        "vacancy_id": vacancy.pk,
        "vacancy_slug": vacancy.slug,
        "responses": Response.objects.filter(vacancy=vacancy).count(),
        "jwt": str(VersionedRefreshToken.for_user(recruiter).access_token),
        "session": browser.cookies[settings.SESSION_COOKIE_NAME].value,
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf": secrets.token_hex(16),  # 32 characters: Django's unmasked secret length
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
    }


def responses_count(*, vacancy_id: int) -> int:
    """Responses to the vacancy now (apply's stored applications are the difference)."""
    from screening.models import Response

    return Response.objects.filter(vacancy_id=vacancy_id).count()
