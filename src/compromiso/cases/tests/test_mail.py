"""E-mail intake: messages become cases or replies, once, and bad mail is refused safely."""

import smtplib
from email.message import EmailMessage

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compromiso.cases import services
from compromiso.cases.mail import CaseMailHandler, MailRejected, ingest_message
from compromiso.cases.models import Case, Status
from compromiso.catalog.tests.factories import ChannelFactory
from compromiso.core.tests.production import free_port

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def mailbox_channel(organization):
    return ChannelFactory(organization=organization, kind="email", name="Correo")


def message(
    subject="Demora en la sucursal",
    sender="Ana Pérez <ana@example.org>",
    body="Esperé dos horas.",
    message_id="<1@example.org>",
    attachments=(),
    html=None,
):
    msg = EmailMessage()
    if sender is not None:
        msg["From"] = sender
    msg["To"] = "oirs@servicio.example"
    msg["Subject"] = subject
    if message_id:
        msg["Message-ID"] = message_id
    if html is not None:
        msg.set_content(html, subtype="html")
    else:
        msg.set_content(body)
    for name, content, maintype, subtype in attachments:
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def test_a_message_becomes_a_case_with_its_files(organization, mailbox_channel):
    raw = message(attachments=[("boleta.pdf", PDF, "application", "pdf")])

    result = ingest_message(raw, organization=organization)

    case = result.case
    assert result.created
    assert case.channel == mailbox_channel
    assert (case.requester_name, case.requester_email) == ("Ana Pérez", "ana@example.org")
    assert case.subject == "Demora en la sucursal"
    assert "Esperé dos horas." in case.description
    assert list(case.attachments.values_list("filename", flat=True)) == ["boleta.pdf"]


def test_a_forbidden_attachment_is_left_out_but_the_message_is_kept(organization, mailbox_channel):
    raw = message(attachments=[("setup.exe", b"MZ\x90\x00" * 10, "application", "octet-stream")])

    case = ingest_message(raw, organization=organization).case

    assert not case.attachments.exists()
    assert "setup.exe" in case.description


def test_a_message_delivered_twice_makes_one_case(organization, mailbox_channel):
    first = ingest_message(message(), organization=organization)
    again = ingest_message(message(), organization=organization)

    assert again.duplicate
    assert again.case == first.case
    assert Case.objects.count() == 1


def test_a_reply_from_the_requester_joins_its_case_and_restarts_the_clock(
    organization, mailbox_channel, quality_manager
):
    case = ingest_message(message(), organization=organization).case
    services.assign_case(case, assignee=quality_manager, by=quality_manager)
    services.request_information(case, message="Envíe la boleta.", by=quality_manager)

    reply = ingest_message(
        message(
            subject=f"Re: [{case.tracking_code.lower()}] Demora",
            sender="ana@example.org",
            body="Adjunto la boleta.",
            message_id="<2@example.org>",
            attachments=[("boleta.pdf", PDF, "application", "pdf")],
        ),
        organization=organization,
    )

    case.refresh_from_db()
    assert reply.reply
    assert case.status == Status.IN_PROGRESS
    assert case.attachments.count() == 1
    assert Case.objects.count() == 1


def test_someone_else_quoting_the_code_opens_a_new_case(organization, mailbox_channel):
    case = ingest_message(message(), organization=organization).case

    other = ingest_message(
        message(
            subject=f"Re: {case.tracking_code}",
            sender="intruso@example.net",
            message_id="<3@example.net>",
        ),
        organization=organization,
    )

    assert other.created
    assert other.case != case
    assert not case.events.filter(comment__contains="intruso").exists()


@pytest.mark.parametrize("sender", [None, "", "no es un correo", "<>"])
def test_a_message_without_a_valid_sender_is_refused(organization, mailbox_channel, sender):
    with pytest.raises(MailRejected):
        ingest_message(message(sender=sender), organization=organization)
    assert not Case.objects.exists()


def test_malformed_mime_never_crashes(organization, mailbox_channel):
    broken = (
        b"From: ana@example.org\r\nSubject: Roto\r\nMessage-ID: <9@x>\r\n"
        b"Content-Type: multipart/mixed\r\n\r\n--sin-limite\r\n\xff\xfe basura \x00\r\n"
    )
    bad_charset = (
        b"From: ana@example.org\r\nSubject: Charset\r\nMessage-ID: <10@x>\r\n"
        b"Content-Type: text/plain; charset=klingon\r\n\r\nHola \xe9\r\n"
    )

    for raw in (broken, bad_charset, b"\x00\x01\x02", b""):
        try:
            result = ingest_message(raw, organization=organization)
        except MailRejected:
            continue
        assert result.case.pk is not None


def test_html_mail_is_turned_into_inert_text(organization, mailbox_channel):
    raw = message(html="<p>Hola <b>equipo</b></p><script>alert('x')</script><style>p{}</style>")

    case = ingest_message(raw, organization=organization).case

    assert "<script" not in case.description
    assert "alert" not in case.description
    assert "Hola equipo" in case.description


def test_no_email_channel_means_no_intake(organization):
    with pytest.raises(MailRejected):
        ingest_message(message(), organization=organization)


def test_the_import_command_reads_an_mbox_and_reports_rejections(
    organization, mailbox_channel, tmp_path
):
    box = tmp_path / "buzon.mbox"
    chunks = [
        message(message_id="<a@x>"),
        message(message_id="<b@x>", subject="Otra"),
        message(message_id="<c@x>", sender=None),
    ]
    box.write_bytes(
        b"".join(b"From MAILER-DAEMON Mon Nov 23 10:00:00 2026\n" + c + b"\n" for c in chunks)
    )

    with pytest.raises(CommandError):
        call_command("import_mail", str(box), organization=organization.slug)

    assert Case.objects.count() == 2


def test_an_eml_file_imports_once(organization, mailbox_channel, tmp_path):
    eml = tmp_path / "queja.eml"
    eml.write_bytes(message())

    call_command("import_mail", str(eml), organization=organization.slug)
    call_command("import_mail", str(eml), organization=organization.slug)

    assert Case.objects.count() == 1


def test_the_handler_answers_like_a_mail_server(organization, mailbox_channel):
    handler = CaseMailHandler(organization.slug)

    accepted = handler.deliver(message())
    refused = handler.deliver(message(sender=None, message_id="<z@x>"))

    assert accepted.startswith("250")
    assert refused.startswith("550")


@pytest.mark.django_db(transaction=True)
def test_the_lmtp_listener_turns_a_delivery_into_a_case(organization):
    from aiosmtpd.controller import Controller
    from aiosmtpd.lmtp import LMTP

    ChannelFactory(organization=organization, kind="email", name="Correo")

    class LMTPController(Controller):
        def factory(self):
            return LMTP(self.handler)

    port = free_port()
    controller = LMTPController(CaseMailHandler(organization.slug), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtplib.LMTP("127.0.0.1", port) as client:
            client.sendmail("ana@example.org", ["oirs@servicio.example"], message())
    finally:
        controller.stop()

    assert Case.objects.get().requester_email == "ana@example.org"
