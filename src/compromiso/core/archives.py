"""Archives read within bounds: a zip (Office and OpenDocument files, XLSX imports) is checked
from its directory before anything is decompressed, on every upload path of every app."""

import io
import struct
import zipfile
from typing import BinaryIO

from django.utils.translation import gettext as _

# An archive (Office and OpenDocument files are zip archives) is accepted only within these
# bounds, read from its directory before anything is decompressed, so that a small file that
# inflates to gigabytes (a "decompression bomb") is refused without being expanded.
MAX_ENTRIES = 2000
MAX_EXPANDED_BYTES = 100 * 1024 * 1024  # all entries together, uncompressed
MAX_RATIO = 200  # uncompressed / compressed size of an entry larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
DIRECTORY_ENTRY_BYTES = 256  # an entry's directory record, with a generous name and extras


class ArchiveTooLargeError(Exception):
    """An archive whose directory promises more than the bounds allow."""

    def __init__(self) -> None:
        super().__init__(_("it expands to too much data when decompressed"))


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
