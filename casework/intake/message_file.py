"""A message file as intake first sees it: where it is, its header section, its digests, and
its bytes only when it is small enough to parse. Shared by intake (``mailbox``) and the
deletion of referral emails (``erasure``)."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from .layout import MAX_HEADER_SECTION, header_section, message_id

# header fields that mail servers add or change on the way: a message delivered twice differs
# only in these, and is the same message
TRACE_FIELDS = {
    b"received",
    b"return-path",
    b"delivered-to",
    b"x-original-to",
    b"envelope-to",
    b"x-delivered-to",
    b"received-spf",
    b"authentication-results",
    b"x-received",
    b"status",
    b"x-status",
    b"x-keywords",
    b"x-uid",
    b"content-length",
    b"lines",
}
TRACE_PREFIXES = (b"arc-", b"x-spam-", b"x-virus-", b"x-mozilla-")
CHUNK = 1024 * 1024


@dataclass
class Source:
    path: Path
    maildir: Path | None  # the Maildir the message is in, or None for a single file
    folder: str | None  # "new" or "cur"


@dataclass
class Received:
    """One message file as intake sees it before parsing: its bytes only when within the size limit."""

    source: Source
    size: int
    head: bytes  # the header section, at most MAX_HEADER_SECTION bytes
    sha256: str  # of the bytes
    content_sha256: str  # of the bytes without the trace headers (TRACE_FIELDS)
    data: bytes | None  # None when over the limit: such a message is never read whole
    message_id: str | None

    @property
    def key(self) -> str:
        return self.message_id or "sha256:" + self.sha256

    def matches(self, digest: str | None) -> bool:
        """Whether a digest kept for a message is this message's (rows written before content
        digests were kept hold the digest of the bytes)."""
        return digest is not None and digest in (self.sha256, self.content_sha256)


def _without_trace(head: bytes) -> bytes:
    """The header section without the fields mail servers add on the way (TRACE_FIELDS)."""
    kept, keep = [], True
    for line in head.splitlines(keepends=True):
        if line[:1] not in (b" ", b"\t"):
            name = line.split(b":", 1)[0].strip().lower()
            keep = name not in TRACE_FIELDS and not name.startswith(TRACE_PREFIXES)
        if keep:
            kept.append(line)
    return b"".join(kept)


def read_message(source: Source, max_message: int) -> Received:
    """The message's header section and digests, read in chunks; its bytes only when it is within
    the limit, so a message of any size costs about a megabyte of memory until it is refused."""
    whole, content = hashlib.sha256(), hashlib.sha256()
    with open(source.path, "rb") as handle:
        first = handle.read(MAX_HEADER_SECTION + 2)
        head = header_section(first)
        whole.update(first)
        content.update(_without_trace(head))
        content.update(first[len(head) :])
        size = len(first)
        kept = [first] if max(size, os.fstat(handle.fileno()).st_size) <= max_message else None
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            whole.update(chunk)
            content.update(chunk)
            size += len(chunk)
            if kept is not None:
                kept.append(chunk)
                if size > max_message:  # it grew since it was measured
                    kept = None
    data = b"".join(kept) if kept is not None else None
    return Received(source, size, head, whole.hexdigest(), content.hexdigest(), data, message_id(head))
