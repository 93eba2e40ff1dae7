"""Uploaded archives (Office and OpenDocument files are zip archives) are checked within bounds
on every way a file comes in: a small file that inflates to far more is refused, unexpanded."""

import io
import tracemalloc
import uuid
import zipfile
from email.message import EmailMessage

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from compromiso.cases import files, services
from compromiso.cases.mail import ingest_message
from compromiso.cases.models import Case
from compromiso.catalog.tests.factories import ChannelFactory

BOMB_BYTES = 64 * 1024 * 1024  # inflated; the file itself is about 64 KB
ODT = b"application/vnd.oasis.opendocument.text"
DOCX_TYPES = b'<?xml version="1.0"?><Types/>'


def _zip(entries, head=b""):
    """A zip archive of (name, chunk, repeat) entries, written a chunk at a time; the first
    entry starts with `head`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, chunk, repeat in entries:
            with archive.open(name, "w") as entry:
                entry.write(head)
                head = b""
                for _ in range(repeat):
                    entry.write(chunk)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def odt_bomb():
    """An .odt whose `mimetype` entry, its type then spaces, inflates to 64 MiB."""
    return _zip([("mimetype", b" " * 1024 * 1024, BOMB_BYTES // (1024 * 1024))], head=ODT)


@pytest.fixture(scope="module")
def docx_bomb():
    """A .docx whose XML inflates to 200 MiB."""
    row = b"<w:p><w:r><w:t>aaaa</w:t></w:r></w:p>" * 28000  # about 1 MiB
    return _zip([("[Content_Types].xml", DOCX_TYPES, 1), ("word/document.xml", row, 200)])


def test_an_opendocument_bomb_is_refused_without_being_inflated(odt_bomb):
    assert len(odt_bomb) < 1024 * 1024

    tracemalloc.start()
    try:
        with pytest.raises(files.ArchiveTooLargeError):
            files.sniff(io.BytesIO(odt_bomb))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 4 * 1024 * 1024


def test_an_office_file_whose_xml_inflates_to_200_mb_is_refused(docx_bomb):
    with pytest.raises(files.ArchiveTooLargeError):
        files.sniff(io.BytesIO(docx_bomb))


def test_an_archive_of_thousands_of_entries_is_refused_before_its_directory_is_read():
    many = _zip(
        [("[Content_Types].xml", DOCX_TYPES, 1)] + [(f"word/{n}", b"", 1) for n in range(3000)]
    )

    with pytest.raises(files.ArchiveTooLargeError):
        files.sniff(io.BytesIO(many))


def test_an_archive_whose_end_record_understates_its_entries_is_refused_too():
    many = bytearray(
        _zip(
            [("[Content_Types].xml", DOCX_TYPES, 1)] + [(f"word/{n}", b"", 1) for n in range(12000)]
        )
    )
    end = bytes(many).rfind(b"PK\x05\x06")
    many[end + 8 : end + 12] = (1).to_bytes(2, "little") * 2  # "one entry"

    with pytest.raises(files.ArchiveTooLargeError):
        files.sniff(io.BytesIO(bytes(many)))


def test_ordinary_office_and_opendocument_files_are_still_accepted():
    docx = _zip([("[Content_Types].xml", DOCX_TYPES, 1), ("word/document.xml", b"<w:p/>", 500)])
    odt = _zip([("mimetype", ODT, 1), ("content.xml", b"<text:p>Hola</text:p>", 100)])

    assert files.sniff(io.BytesIO(docx)) == files.OFFICE["word/"]
    assert files.sniff(io.BytesIO(odt)) == (ODT.decode(), "odt")


@pytest.mark.django_db
def test_the_public_form_refuses_a_bomb_with_a_clear_message_and_keeps_the_form(
    citizen, organization, odt_bomb
):
    ChannelFactory(organization=organization, kind="web", name="Sitio web")
    data = {
        "kind": "complaint",
        "subject": "Demora",
        "description": "Esperé dos horas.",
        "requester_name": "Ana Pérez",
        "requester_email": "ana@example.org",
        "reply_channel": "email",
        "submission_id": str(uuid.uuid4()),
        "website": "",
        "attachments": [SimpleUploadedFile("acta.odt", odt_bomb)],
    }

    response = citizen.post(reverse("portal:case_new", args=[organization.slug]), data)

    assert not Case.objects.exists()
    assert "al descomprimirlo ocupa demasiado" in response.content.decode()
    assert response.context["form"]["subject"].value() == "Demora"


@pytest.mark.django_db
def test_staff_and_requester_attachments_refuse_a_bomb(organization, quality_manager, docx_bomb):
    from compromiso.cases.tests.factories import CaseFactory

    case = CaseFactory(organization=organization)

    with translation.override("en"), pytest.raises(ValidationError, match="too much data"):
        services.add_attachment(
            case, SimpleUploadedFile("informe.docx", docx_bomb), by=quality_manager
        )
    assert not case.attachments.exists()


@pytest.mark.django_db
def test_e_mail_intake_leaves_a_bomb_out_and_says_so(organization, odt_bomb):
    ChannelFactory(organization=organization, kind="email", name="Correo")
    message = EmailMessage()
    message["From"] = "Ana Pérez <ana@example.org>"
    message["To"] = "oirs@servicio.example"
    message["Subject"] = "Reclamo"
    message["Message-ID"] = "<bomb@example.org>"
    message.set_content("Adjunto el acta.")
    message.add_attachment(
        odt_bomb,
        maintype="application",
        subtype="vnd.oasis.opendocument.text",
        filename="acta.odt",
    )

    with translation.override("en"):
        case = ingest_message(message.as_bytes(), organization=organization).case

    assert not case.attachments.exists()
    assert "“acta.odt” not accepted: it expands to too much data" in case.description
