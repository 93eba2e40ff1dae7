"""Attachment checks: the type is read from the file's first bytes, never trusted from the name
or the browser, and only document and image types staff can open safely are accepted."""

import io
import zipfile
from typing import BinaryIO

from compromiso.core.archives import ArchiveTooLargeError as ArchiveTooLargeError
from compromiso.core.archives import check_archive

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# (magic prefix, content type, extension)
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)
OFFICE = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
OPEN_DOCUMENT = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}


def sniff(stream: BinaryIO) -> tuple[str, str] | None:
    """The (content type, extension) of an accepted file, or None when it is not one.
    Raises `ArchiveTooLargeError` for an archive beyond the bounds (see `check_archive`)."""
    stream.seek(0)
    head = stream.read(8192)
    stream.seek(0)
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(stream)
    if _is_text(head):
        return "text/plain", "txt"
    return None


def _sniff_zip(stream: BinaryIO) -> tuple[str, str] | None:
    try:
        check_archive(stream)
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    kind = entry.read(200).strip()
                extension = OPEN_DOCUMENT.get(kind)
                return (kind.decode(), extension) if extension else None
            if "[Content_Types].xml" in names:
                for prefix, found in OFFICE.items():
                    if any(name.startswith(prefix) for name in names):
                        return found
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    finally:
        stream.seek(0)
    return None


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        io.BytesIO(head).read().decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character may be cut at the 8 KiB boundary.
        try:
            head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    lowered = head[:512].lower()
    # HTML and SVG can carry scripts: not accepted as "text".
    return not any(tag in lowered for tag in (b"<html", b"<script", b"<svg", b"<!doctype"))


def safe_filename(name: str, extension: str) -> str:
    """A display name without paths or control characters, ending in the sniffed extension."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    return f"{(stem or 'adjunto')[:150]}.{extension}"
