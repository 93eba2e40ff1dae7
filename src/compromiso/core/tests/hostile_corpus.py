"""Hostile inputs for every public form, upload and API body: what a careless or malicious
visitor sends. Plain data, used by `test_hostile_inputs.py` (forms and uploads) and by the API's
fuzz and bounds tests.

Each text entry says whether a form must refuse it (`reject`: nothing saved, an error shown)
and, for markup, the raw fragment that must never come back unescaped (`marker`)."""

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    name: str
    value: str
    reject: bool = False  # a form must refuse it whatever the field
    marker: str = ""  # must never appear as such in the answer


@dataclass(frozen=True)
class Upload:
    name: str
    filename: str
    content: bytes
    content_type: str = "application/pdf"
    reject: bool = True  # an attachment field must refuse it


MEGABYTE = 1024 * 1024

TEXTS: list[Text] = [
    Text("nul byte", "abc\x00def", reject=True),
    Text("only nul", "\x00", reject=True),
    Text("overlong 1 MB", "A" * MEGABYTE, reject=True),
    Text("invalid utf-8 (replaced)", b"caf\xc3\x28 \xff\xfe".decode("utf-8", "replace")),
    Text("lone surrogate as text", "\\ud800 abc"),
    Text("rtl override", "factura\u202egnp.exe"),
    Text("zero-width", "a\u200bb\u200cc\u200dd\ufeff"),
    Text("sql quote", "' OR '1'='1' --"),
    Text("sql union", "1; DROP TABLE cases_case; SELECT * FROM organizations_user --"),
    Text(
        "html script",
        '<script>alert("hx-script")</script>',
        marker='<script>alert("hx-script")',
    ),
    Text("html img", '"><img src=x onerror=alert("hx-img")>', marker="<img src=x onerror"),
    Text("html attribute", "' autofocus onfocus='alert(1)", marker="' autofocus onfocus='"),
    Text("javascript url", "javascript:alert(document.cookie)"),
    Text("svg", "<svg/onload=alert('hx-svg')>", marker="<svg/onload"),
    # Shown back as typed is right (Django never renders user text as a template); a server
    # error or a rendered value would not be.
    Text("template variable", "{{ 7|add:7 }}{{ request.META }}"),
    Text("template tag", "{% debug %}{% load static %}"),
    Text("crlf header", "x\r\nX-Injected: yes\r\nSet-Cookie: hx=1"),
    Text("path traversal", "../../../../etc/passwd"),
    Text("windows traversal", "..\\..\\windows\\win.ini"),
    Text("huge number", "9" * 400),
    Text("huge integer", "99999999999999999999999999"),
    Text("negative", "-1"),
    Text("negative huge", "-9223372036854775809"),
    Text("nan", "NaN"),
    Text("infinity", "Infinity"),
    Text("minus infinity", "-inf"),
    Text("exponent", "1e309"),
    Text("zero date", "0000-00-00"),
    Text("last date", "9999-12-31"),
    Text("impossible date", "2025-02-30"),
    Text("emoji", "Queja 😡🔥👍🏽 👩‍👩‍👧‍👦"),
    Text("whitespace only", " \t\u00a0\u3000 "),
    Text("json text", '{"__proto__": {"admin": true}}'),
    Text("format string", "%s%s%s%n {0} {}"),
    Text("ldap / glob", "*)(uid=*))(|(uid=*"),
    Text("long word", "x" * 5000),
]

# JSON bodies that are not what an API operation expects (sent as application/json).
JSON_BODIES: list[tuple[str, bytes]] = [
    ("empty", b""),
    ("not json", b"{not json"),
    ("wrong type: list", b"[1, 2, 3]"),
    ("wrong type: string", b'"text"'),
    ("wrong type: number", b"12"),
    ("null", b"null"),
    ("nan", b'{"value": NaN}'),
    ("deeply nested", b'{"a":' * 5000 + b"1" + b"}" * 5000),
    ("deep list", b"[" * 100000 + b"]" * 100000),
    ("invalid utf-8", b'{"name": "\xff\xfe"}'),
    ("lone surrogate", b'{"name": "\\ud800"}'),
    ("nul", b'{"name": "a\\u0000b"}'),
    ("huge number", b'{"value": 1' + b"0" * 5000 + b"}"),
]


def _zip_bomb() -> bytes:
    """About 40 KB on the wire, 100 MB when unpacked (one file of zeros)."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("zeros.txt", "w") as entry,
    ):
        block = b"\x00" * MEGABYTE
        for _ in range(100):
            entry.write(block)
    return buffer.getvalue()


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

UPLOADS: list[Upload] = [
    Upload("zero bytes", "empty.pdf", b""),
    Upload("traversal name", "../../etc/passwd", PDF, reject=False),
    Upload("nul in name", "report\x00.html.pdf", PDF, reject=False),
    # Kept as the PDF it starts with: renamed .pdf, stored as application/pdf, served only as a
    # download with nosniff (cases/files.py, portal/views.py).
    Upload(
        "polyglot pdf + html",
        "poly.html",
        PDF + b"<html><script>alert('hx-poly')</script></html>",
        "text/html",
        reject=False,
    ),
    Upload("exe renamed pdf", "invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200),
    Upload("30 MB", "big.pdf", PDF + b"0" * (30 * MEGABYTE)),
    Upload("zip bomb", "bomb.zip", _zip_bomb(), "application/zip"),
    Upload(
        "svg with script",
        "image.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert("hx-svg")</script></svg>',
        "image/svg+xml",
    ),
    Upload("rtl name", "factura\u202egnp.exe", b"MZ\x90\x00" + b"\x00" * 100),
]
