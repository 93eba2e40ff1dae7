"""Attachment checks: the type is read from the file's first bytes, never trusted from the name
or the browser, and only document and image types staff can open safely are accepted."""

import io
import struct
import zipfile
from typing import BinaryIO

from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# An archive (Office and OpenDocument files are zip archives) is accepted only within these
# bounds, read from its directory before anything is decompressed, so that a small file that
# inflates to gigabytes (a "decompression bomb") is refused without being expanded.
MAX_ENTRIES = 2000
MAX_EXPANDED_BYTES = 100 * 1024 * 1024  # all entries together, uncompressed
MAX_RATIO = 200  # uncompressed / compressed size of an entry larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
DIRECTORY_ENTRY_BYTES = 256  # an entry's directory record, with a generous name and extras

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


class ArchiveTooLargeError(Exception):
    """An archive whose directory promises more than the bounds allow."""

    def __init__(self) -> None:
        super().__init__(_("it expands to too much data when decompressed"))


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


def check_archive(
    stream: BinaryIO,
    *,
    max_entries: int = MAX_ENTRIES,
    max_total: int = MAX_EXPANDED_BYTES,
    max_ratio: int = MAX_RATIO,
) -> None:
    """Raise `ArchiveTooLargeError` unless the zip archive in `stream` stays within the bounds:
    number of entries (read from the end record before the directory is parsed), size of each
    entry and of all together, and compression ratio. Sizes are those the directory declares;
    Python's zipfile never inflates an entry past its declared size (it fails the CRC check
    instead), so every later read is bounded by them. Raises `zipfile.BadZipFile` for a damaged
    archive."""
    entries, directory_bytes = _declared_entries(stream)
    # zipfile reads the directory by its size, whatever count the end record says: both bound.
    if entries > max_entries or directory_bytes > max_entries * DIRECTORY_ENTRY_BYTES:
        raise ArchiveTooLargeError
    total = 0
    with zipfile.ZipFile(stream) as archive:
        for info in archive.infolist():
            total += info.file_size
            if total > max_total:
                raise ArchiveTooLargeError
            if info.file_size > RATIO_FLOOR and info.file_size > max_ratio * max(
                info.compress_size, 1
            ):
                raise ArchiveTooLargeError
    stream.seek(0)


def _declared_entries(stream: BinaryIO) -> tuple[int, int]:
    """The entry count and directory size of a zip's end-of-central-directory record (zip64
    aware)."""
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    start = max(0, size - (22 + 65535))
    stream.seek(start)
    tail = stream.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise zipfile.BadZipFile("no end of central directory")
    count = int(struct.unpack("<H", tail[at + 10 : at + 12])[0])
    directory = int(struct.unpack("<I", tail[at + 12 : at + 16])[0])
    if count == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", tail[at - 12 : at - 4])
        stream.seek(offset)
        record = stream.read(56)
        if record[:4] != b"PK\x06\x06" or len(record) < 56:
            raise zipfile.BadZipFile("damaged zip64 end record")
        count = int(struct.unpack("<Q", record[32:40])[0])
        directory = int(struct.unpack("<Q", record[40:48])[0])
    stream.seek(0)
    return count, directory


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
