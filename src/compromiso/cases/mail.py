"""E-mail intake: a message becomes a case, or a reply on the case whose tracking code its
subject carries (only when it comes from that case's requester).

Used by the LMTP/SMTP listener (`lmtp_server`) and the `.eml`/mbox import (`import_mail`). A
message delivered twice (same Message-ID) makes one case; a message that cannot be read is
rejected with a reason and nothing is saved.
"""

import email
import email.policy
import hashlib
import html
import io
import logging
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import close_old_connections, transaction
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from compromiso.cases import files, services
from compromiso.cases.models import Case
from compromiso.catalog.models import Channel, ChannelKind
from compromiso.core.actors import PUBLIC
from compromiso.core.errors import DomainError
from compromiso.organizations.models import Organization

logger = logging.getLogger(__name__)
TRACKING_CODE = re.compile(r"\b([A-Z]{2,5}-\d{4}-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6})\b", re.I)
MAX_MESSAGE_BYTES = 30 * 1024 * 1024


class MailRejected(DomainError):  # noqa: N818 (reads as the domain says it)
    pass


@dataclass
class IngestResult:
    case: Case
    created: bool = False
    reply: bool = False
    duplicate: bool = False


def ingest_message(raw: bytes, *, organization: Organization) -> IngestResult:
    """Turn one raw RFC 5322 message into a case or a reply. Raises MailRejected or
    ValidationError (with a reason) when it cannot; then nothing was saved."""
    if len(raw) > MAX_MESSAGE_BYTES:
        raise MailRejected(_("The message is larger than 30 MB."), code="too_large")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as error:  # the parser is lenient; this is a last resort
        raise MailRejected(_("The message could not be read."), code="unreadable") from error
    assert isinstance(message, EmailMessage)
    name, address = _sender(message)
    subject = _header(message, "subject")[:200] or _("(no subject)")
    body, uploads, refused = _content(message)
    if refused:
        body += "\n\n" + "\n".join(refused)
    message_id = _header(message, "message-id") or hashlib.sha256(raw).hexdigest()
    key = "mail:" + hashlib.sha256(message_id.encode()).hexdigest()[:40]
    body_hash = hashlib.sha256(raw).hexdigest()
    with transaction.atomic():
        earlier = services.case_for_intake_key(organization, key, body_hash)
        if earlier is not None:
            return IngestResult(case=earlier, duplicate=True)
        case = _case_replied_to(organization, subject, address)
        if case is not None:
            services.add_requester_message(
                case, text=body or _("(empty message)"), uploads=uploads, source="email"
            )
            services.remember_intake_key(case, key, body_hash)
            return IngestResult(case=case, reply=True)
        channel = Channel.objects.filter(
            organization=organization, kind=ChannelKind.EMAIL, is_active=True
        ).first()
        if channel is None:
            raise MailRejected(
                _("This organisation takes no requests by e-mail."), code="no_email_channel"
            )
        try:
            case, _secret = services.receive_case(
                organization=organization,
                kind="complaint",
                channel=channel,
                subject=subject,
                description=(body or _("(empty message)"))[:20000],
                requester_name=(name or address.split("@")[0])[:200],
                requester_email=address,
                reply_channel="email",
                uploads=uploads,
                by=PUBLIC,
                intake_key=key,
                body_hash=body_hash,
            )
        except services.AlreadyReceived as delivered:  # the same message, twice at once
            return IngestResult(case=delivered.case, duplicate=True)
    return IngestResult(case=case, created=True)


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a malformed header the policy cannot fold
        return ""
    return " ".join(str(value or "").split())


def _sender(message: EmailMessage) -> tuple[str, str]:
    name, address = parseaddr(_header(message, "from"))
    address = address.strip().lower()
    try:
        validate_email(address)
    except ValidationError as error:
        raise MailRejected(
            _("The message has no valid sender address."), code="no_sender"
        ) from error
    return name.strip(), address


def _content(message: EmailMessage) -> tuple[str, list[SimpleUploadedFile], list[str]]:
    """The body as text, the attachments that pass the file checks, and notes on the others."""
    text_parts: list[str] = []
    html_parts: list[str] = []
    uploads: list[SimpleUploadedFile] = []
    refused: list[str] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if filename or disposition == "attachment":
            _attachment(part, filename or "adjunto", uploads, refused)
            continue
        payload = _text(part)
        if part.get_content_type() == "text/plain":
            text_parts.append(payload)
        elif part.get_content_type() == "text/html":
            html_parts.append(payload)
    if text_parts:
        body = "\n".join(text_parts)
    else:
        # Scripts and styles go entirely; the rest loses its tags.
        cleaned = [re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", part) for part in html_parts]
        body = html.unescape(strip_tags("\n".join(cleaned)))
    return body.strip(), uploads, refused


def _text(part: Any) -> str:
    try:
        raw = part.get_payload(decode=True) or b""
    except Exception:
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return str(raw.decode(charset, errors="replace"))
    except LookupError:  # an unknown charset name
        return str(raw.decode("utf-8", errors="replace"))


def _attachment(
    part: Any, filename: str, uploads: list[SimpleUploadedFile], refused: list[str]
) -> None:
    try:
        content = part.get_payload(decode=True) or b""
    except Exception:
        content = b""
    upload = SimpleUploadedFile(filename, content)
    if len(uploads) >= files.MAX_FILES:
        refused.append(
            _("[attachment “%(name)s” not accepted: too many files]") % {"name": filename}
        )
    elif not content or len(content) > files.MAX_BYTES:
        refused.append(
            _("[attachment “%(name)s” not accepted: empty or larger than 10 MB]")
            % {"name": filename}
        )
    else:
        try:
            found = files.sniff(io.BytesIO(content))
        except files.ArchiveTooLargeError as error:
            refused.append(
                _("[attachment “%(name)s” not accepted: %(reason)s]")
                % {"name": filename, "reason": error}
            )
            return
        if found is None:
            refused.append(
                _("[attachment “%(name)s” not accepted: type not allowed]") % {"name": filename}
            )
        else:
            uploads.append(upload)


def _case_replied_to(organization: Organization, subject: str, address: str) -> Case | None:
    """The case a reply is about: its code in the subject and sent by its requester."""
    for code in TRACKING_CODE.findall(subject):
        case = Case.objects.filter(organization=organization, tracking_code=code.upper()).first()
        if case is not None and case.requester_email.lower() == address:
            return case
    return None


class CaseMailHandler:
    """aiosmtpd handler: each message delivered to the listener goes through ingest_message.
    Permanent refusals answer 550 (the sender's server bounces it with the reason), unexpected
    errors 451 (the sender's server retries later, so nothing is lost)."""

    def __init__(self, organization_slug: str) -> None:
        self.organization_slug = organization_slug

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        from asgiref.sync import sync_to_async

        return await sync_to_async(self.deliver_from_listener, thread_sensitive=True)(
            envelope.content
        )

    def deliver_from_listener(self, content: bytes | str) -> str:
        """The long-running listener holds its database connection across deliveries: drop a
        stale or broken one before and after each message, as Django does around requests."""
        close_old_connections()
        try:
            return self.deliver(content)
        finally:
            close_old_connections()

    def deliver(self, content: bytes | str) -> str:
        raw = content.encode() if isinstance(content, str) else content
        try:
            organization = Organization.objects.get(slug=self.organization_slug, is_active=True)
            result = ingest_message(raw, organization=organization)
        except (MailRejected, ValidationError) as error:
            reason = error.message if isinstance(error, MailRejected) else "; ".join(error.messages)
            return f"550 {' '.join(str(reason).split())}"
        except Exception:
            logger.exception("Mail intake failed")
            return "451 Temporary failure, try again later"
        return f"250 OK {result.case.tracking_code}"
