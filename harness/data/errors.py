"""The errors raised while a data set is made ready; each message names the file and the fix."""

from __future__ import annotations


class DataError(Exception):
    """Base class of the errors raised while getting a data set ready."""


class DownloadError(DataError):
    """No mirror gave a verified archive, and none was placed in ``data_dir``."""


class ChecksumError(DataError, ValueError):
    """An archive's checksum is not the published one.

    Attributes:
        expected: The published SHA-256.
        got: The file's SHA-256.
    """

    def __init__(self, message: str, expected: str, got: str) -> None:
        super().__init__(message)
        self.expected, self.got = expected, got


class CorruptArchiveError(DataError, ValueError):
    """An archive cannot be read to the end (truncated, damaged or of the wrong kind)."""


class UnsafeArchiveError(DataError, ValueError):
    """An archive member would be written outside the target folder."""


class NotAnArchiveError(DataError):
    """A server answered with a web page instead of the archive."""


class DamagedImageError(DataError, ValueError):
    """An image file cannot be decoded."""
