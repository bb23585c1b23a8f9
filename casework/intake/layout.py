"""The ACRO referral email: the documented layout (docs/referral-email.md), read and written.

``parse`` turns the bytes of one email into a referral and its certificate, or raises
``ReferralEmailError`` saying what is wrong, and nothing else: whatever arrives, the caller
either has a referral or a reason to quarantine the message. Nothing is guessed: a value the
email leaves out is absent, and a line the layout does not know is an error, not skipped.

``render`` writes a referral in the same layout (for ACRO's reference, the test corpus and
the round-trip tests).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from email import message_from_bytes, policy
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from email.utils import format_datetime, make_msgid, parsedate_to_datetime

from ..referral import (
    CONTROL_CHARACTERS,
    DEFAULT_MAX_ATTACHMENT_BYTES,
    LIMITS,
    NAMES_NO_ONE,
    REQUEST_REASONS,
    default_max_message,
    empty_referral,
    is_pdf,
    iso_date,
    names_someone,
)
from .pdf import CertificatePdfError, check_certificate

START = "ACRO REFERRAL"
END = "END OF REFERRAL"
ABSENT = "Not provided"


# What intake reads at all, checked on the bytes before the email parser sees them, so that
# no message can cost more than its size in time and memory (docs/referral-email.md, "Limits").
MAX_HEADER_SECTION = 256 * 1024  # the message's headers, or one part's, together
MAX_HEADER_FIELD = 8 * 1024  # one header field, its folded lines together
MAX_CONTAINERS = 32  # multipart and message/rfc822 parts in one message
MAX_DEPTH = 8  # how deep parts may be nested (a referral with HTML and a logo is 3 deep)

_CONTAINER = re.compile(rb"^content-type:[ \t]*(?:\r?\n[ \t]+)*(?:multipart|message)/", re.IGNORECASE | re.MULTILINE)


class ReferralEmailError(ValueError):
    """The message is not a referral in the documented layout; the text says why, for the
    Workflow team."""


@dataclass
class ReferralEmail:
    message_id: str | None
    sender: str | None
    subject: str | None
    referral: dict
    certificate: dict | None
    warnings: list[str] = field(default_factory=list)
    sent_at: datetime | None = None  # the Date header, when it is a real date


# -- the layout ---------------------------------------------------------------------------
# field label (as written) -> (where in the referral, limit key, kind)
SUBJECT_FIELDS = [
    ("Family name", ("subject", "family_name"), "family_name", "text"),
    ("Given names", ("subject", "given_names"), "given_names", "text"),
    ("Alias", ("subject", "aliases"), "alias", "list"),
    ("Date of birth", ("subject", "date_of_birth"), None, "date"),
    ("Nationality", ("subject", "nationality"), "nationality", "text"),
    ("PNC ID", ("subject", "pnc_id"), "pnc_id", "text"),
]
INTERPOL_FIELDS = [
    ("i24/7 check outcome", ("interpol_check_outcome",), "interpol_check_outcome", "text"),
]
OFFICER_FIELDS = [
    ("Name", ("officer", "name"), "officer_name", "text"),
    ("Force", ("officer", "force"), "force", "text"),
    ("Email", ("officer", "email"), "email", "text"),
    ("Phone", ("officer", "phone"), "phone", "text"),
]
REQUEST_FIELDS = [
    ("Reason for request", ("request_reason",), None, "reason"),
    ("Last known UK address", ("last_known_address",), "last_known_address", "text"),
]
CERTIFICATE_FIELDS = [
    ("Request purpose", ("certificate", "request_purpose"), "request_purpose", "text"),
    ("Summary", ("certificate", "content"), "certificate_summary", "text"),
]
DOCUMENT_COLUMNS = [
    ("Type", "type", "document_type", "text"),
    ("Number", "number", "document_number", "text"),
    ("Issuing country", "issuing_country", "issuing_country", "text"),
]
CONVICTION_COLUMNS = [
    ("Country", "country", "country", "text"),
    ("Offence", "offence", "offence", "text"),
    ("Date", "date", None, "date"),
    ("Sentence", "sentence", "sentence", "text"),
]

# section heading -> fields, or (the referral list it fills, its columns) for a table
SECTIONS = {
    "SUBJECT": SUBJECT_FIELDS,
    "IDENTITY DOCUMENTS": (("subject", "identity_documents"), DOCUMENT_COLUMNS),
    "OVERSEAS CONVICTIONS": (("convictions",), CONVICTION_COLUMNS),
    "INTERPOL CHECK": INTERPOL_FIELDS,
    "REQUESTING OFFICER": OFFICER_FIELDS,
    "REQUEST": REQUEST_FIELDS,
    "CERTIFICATE": CERTIFICATE_FIELDS,
}
ALIASES = {"aliases": "alias", "pnc identity": "pnc id"}


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


_SECTION_KEYS = {_key(name): name for name in SECTIONS}


def _heading(line: str) -> str | None:
    """The section (or START/END marker) a line names, allowing ``== X ==``, ``# X`` or ``X:``."""
    text = line.strip().strip("=#*:").strip()
    key = _key(text)
    if key in _SECTION_KEYS:
        return _SECTION_KEYS[key]
    if key in (_key(START), _key(END)):
        return text.upper()
    return None


# -- writing ------------------------------------------------------------------------------
def _value(value) -> str:
    if value is None or value == "":
        return ABSENT
    return str(value)


def _cell(value) -> str:
    return _value(value).replace("\\", "\\\\").replace("|", "\\|")


def _get(data: dict, path) -> object:
    for part in path:
        data = (data or {}).get(part)
    return data


def render_body(referral: dict, certificate: dict | None = None) -> str:
    """The plain-text body of a referral email in the documented layout."""
    data = {**referral, "certificate": certificate or {}}
    lines = [START, ""]
    for section, spec in SECTIONS.items():
        lines.append(section)
        if isinstance(spec, tuple):
            path, columns = spec
            lines.append("| " + " | ".join(label for label, *_ in columns) + " |")
            lines.append("|" + "|".join("---" for _ in columns) + "|")
            for row in _get(data, path) or []:
                lines.append("| " + " | ".join(_cell(row.get(key)) for _, key, *_ in columns) + " |")
        else:
            for label, path, _, kind in spec:
                if kind == "list":
                    values = _get(data, path) or []
                    lines.extend(f"{label}: {v}" for v in values) if values else lines.append(f"{label}: {ABSENT}")
                else:
                    lines.append(f"{label}: {_value(_get(data, path))}")
        lines.append("")
    lines.append(END)
    return "\n".join(lines) + "\n"


def render(
    referral: dict,
    certificate: dict | None = None,
    *,
    message_id: str | None = None,
    sender: str = "ACRO Criminal Records Office <referrals@acro.police.example>",
    to: str = "CC Workflow <cc-workflow@homeoffice.example>",
    subject: str | None = None,
    date=None,
) -> EmailMessage:
    """A whole referral email: the body in the layout and the certificate as a PDF attachment."""
    message = EmailMessage()
    person = referral.get("subject") or {}
    name = " ".join(p for p in ((person.get("family_name") or "").upper(), person.get("given_names") or "") if p)
    message["Subject"] = subject or f"ACRO referral: {name or 'subject not named'}"
    message["From"] = sender
    message["To"] = to
    message["Message-ID"] = message_id or make_msgid(domain="acro.police.example")
    if date is not None:
        message["Date"] = format_datetime(date)
    body = render_body(referral, certificate)
    message.set_content(body)
    if certificate and certificate.get("file"):
        message.add_attachment(
            certificate["file"],
            maintype="application",
            subtype="pdf",
            filename=certificate.get("filename") or "certificate.pdf",
        )
        # the same referral is always the same bytes (a random boundary would not be)
        seed = hashlib.sha256(body.encode("utf-8") + certificate["file"]).hexdigest()[:24]
        message.set_boundary(f"==acro-referral-{seed}==")
    return message


# -- reading ------------------------------------------------------------------------------
def _clean_header(value) -> str | None:
    """A header as text for people to read; undecodable bytes become U+FFFD (display only)."""
    if value is None:
        return None
    # decoding many encoded words takes time growing with the square of their number
    value = str(value)[:MAX_HEADER_FIELD]
    try:
        text = str(make_header(decode_header(value)))
    except (HeaderParseError, LookupError, UnicodeError, ValueError, TypeError):
        text = str(value)
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return text or None


def header_section(data: bytes) -> bytes:
    """The message's header lines (up to the first empty line), never more than
    MAX_HEADER_SECTION bytes of them: the part of a message that is safe to read whatever it is."""
    window = data[: MAX_HEADER_SECTION + 2]
    ends = [i for i in (window.find(b"\n\n"), window.find(b"\n\r\n")) if i >= 0]
    return window[: min(ends) + 1] if ends else window[:MAX_HEADER_SECTION]


def message_id(head: bytes) -> str | None:
    """The Message-ID of a message's header section as a key: itself, or the hash of it when it is long."""
    try:
        raw = message_from_bytes(head + b"\n", policy=policy.compat32).get("Message-ID")
    except (HeaderParseError, LookupError, UnicodeError, ValueError, TypeError, IndexError):
        return None
    if raw is not None and len(str(raw)) > MAX_HEADER_FIELD:
        return "sha256-id:" + hashlib.sha256(str(raw).encode("utf-8", "surrogateescape")).hexdigest()
    value = _clean_header(raw)
    if value and len(value) > 450:
        return "sha256-id:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
    return value


def message_key(data: bytes) -> str:
    """The message's Message-ID, or a stable id from the hash of its bytes when it has none."""
    return message_id(header_section(data)) or "sha256:" + hashlib.sha256(data).hexdigest()


def check_limits(data: bytes, max_message: int) -> None:
    """Refuse, from its bytes alone, a message too big, with headers too long or with too many
    nested parts for the email parser to read in bounded time (it recurses into nested parts
    and decodes long encoded headers in quadratic time)."""
    if len(data) > max_message:
        raise ReferralEmailError(
            f"the message is {_size(len(data))}, over the {_size(max_message)} limit for a referral email"
        )
    head = header_section(data)
    if len(head) >= MAX_HEADER_SECTION and not head.endswith(b"\n"):
        raise ReferralEmailError(f"the message's headers are longer than {_size(MAX_HEADER_SECTION)} (the limit)")
    _check_fields(head.split(b"\n"), "the message")
    containers = len(_CONTAINER.findall(data))
    if containers > MAX_CONTAINERS:
        raise ReferralEmailError(
            f"the message has {containers} multipart or attached-message parts, nested or "
            f"side by side; at most {MAX_CONTAINERS} are read"
        )


def _check_fields(lines, where: str) -> None:
    """Each header field (with its folded lines) at most MAX_HEADER_FIELD bytes."""
    name, size = None, 0
    for line in lines:
        if line[:1] in (b" ", b"\t") and name is not None:
            size += len(line) + 1
        else:
            name, size = line.split(b":", 1)[0][:40], len(line) + 1
        if size > MAX_HEADER_FIELD:
            label = name.decode("ascii", "replace").strip() or "a"
            raise ReferralEmailError(
                f"{where} has a {label} header longer than {_size(MAX_HEADER_FIELD)} (the limit for one header)"
            )


def _walk(message: Message) -> list[Message]:
    """Every part, in order, without recursion; a part nested deeper than MAX_DEPTH is refused,
    and so are part headers over the limits."""
    parts, stack = [], [(message, 0)]
    while stack:
        part, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ReferralEmailError(f"the message's parts are nested more than {MAX_DEPTH} deep (the limit)")
        if depth:
            items = [(str(k), str(v)) for k, v in part.items()]
            if sum(len(k) + len(v) + 2 for k, v in items) > MAX_HEADER_SECTION:
                raise ReferralEmailError(f"a part of the message has headers longer than {_size(MAX_HEADER_SECTION)}")
            _check_fields([f"{k}: {v}".encode("utf-8", "surrogateescape") for k, v in items], "a part of the message")
        parts.append(part)
        if part.is_multipart():
            stack.extend((p, depth + 1) for p in reversed(part.get_payload()))
    return parts


def _text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise ReferralEmailError("the plain-text body could not be read")
    charset = part.get_content_charset()
    if charset is None:
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            raise ReferralEmailError("the plain-text body is not UTF-8 and declares no character set") from None
    try:
        codecs.lookup(charset)
        text = payload.decode(charset)
    except LookupError:
        raise ReferralEmailError(f"the plain-text body declares an unknown character set {charset!r}") from None
    except (UnicodeError, ValueError):
        raise ReferralEmailError(f"the plain-text body is not valid {charset}, as it declares") from None
    if _param(part, "format") == "flowed":
        text = _unflow(text, _param(part, "delsp") == "yes")
    return text


def _param(part: Message, name: str) -> str:
    value = part.get_param(name)
    return value.lower() if isinstance(value, str) else ""


def _unflow(text: str, delsp: bool) -> str:
    """Undo format=flowed (RFC 3676): soft line breaks end in a space."""
    out, buffer = [], None
    for line in text.replace("\r\n", "\n").split("\n"):
        if line == "-- ":
            if buffer is not None:
                out.append(buffer)
                buffer = None
            out.append(line)
            continue
        if line.startswith(" "):
            line = line[1:]
        if line.endswith(" "):
            buffer = (buffer or "") + (line[:-1] if delsp else line)
            continue
        out.append((buffer or "") + line)
        buffer = None
    if buffer is not None:
        out.append(buffer)
    return "\n".join(out)


def _filename(part: Message) -> str:
    try:
        name = _clean_header(part.get_filename())
    except (HeaderParseError, LookupError, UnicodeError, ValueError, TypeError, IndexError):
        name = None
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[: LIMITS["filename"]] or "certificate.pdf"


def _parts(message: Message, max_attachment: int) -> tuple[str, dict | None, list[str]]:
    """The plain-text body, the certificate PDF (bytes and name) and warnings."""
    body = None
    html = False
    pdfs = []
    warnings = []
    for part in _walk(message):
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        named = bool(part.get_param("filename", header="content-disposition") or part.get_param("name"))
        if ctype == "text/plain" and disposition != "attachment" and not named:
            if body is None:
                body = _text(part)
            else:
                raise ReferralEmailError("the email has more than one plain-text body part")
            continue
        if ctype == "text/html" and disposition != "attachment":
            html = True
            continue
        filename = _filename(part)
        if ctype == "application/pdf" or filename.lower().endswith(".pdf"):
            pdfs.append((part, filename))
            continue
        if ctype.startswith("image/") and disposition != "attachment":
            warnings.append(f"inline image {filename} not kept")
            continue
        raise ReferralEmailError(
            f"unexpected attachment {filename} ({ctype}): the layout carries only the certificate as a PDF"
        )
    if body is None:
        raise ReferralEmailError(
            "the email has no plain-text body"
            + (" (only HTML): the referral layout is read from the plain text" if html else "")
        )
    if not pdfs:
        raise ReferralEmailError("no certificate: the ACRO certificate must be attached as a PDF")
    if len(pdfs) > 1:
        raise ReferralEmailError(
            f"{len(pdfs)} PDF attachments ({', '.join(n for _, n in pdfs)}): attach only the certificate"
        )
    part, filename = pdfs[0]
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes) or not data:
        raise ReferralEmailError(f"the attachment {filename} is empty")
    if len(data) > max_attachment:
        raise ReferralEmailError(
            f"the attachment {filename} is {_size(len(data))}, over the {_size(max_attachment)} limit"
        )
    if not is_pdf(data):
        raise ReferralEmailError(f"the attachment {filename} is not a PDF")
    try:
        check_certificate(data, filename)
    except CertificatePdfError as exc:
        raise ReferralEmailError(str(exc)) from None
    return body, {"file": data, "filename": filename}, warnings


def _size(count: int) -> str:
    if count >= 1048576:
        return f"{count / 1048576:.1f} MB"
    return f"{count / 1024:.1f} KB"


def parse(
    data: bytes, *, max_attachment: int = DEFAULT_MAX_ATTACHMENT_BYTES, max_message: int | None = None
) -> ReferralEmail:
    """One email's bytes as a referral and its certificate; ReferralEmailError says why not."""
    if not isinstance(data, (bytes, bytearray)):
        raise ReferralEmailError("not an email (no bytes)")
    data = bytes(data)
    if not data.strip():
        raise ReferralEmailError("the message is empty")
    check_limits(data, max_message or default_max_message(max_attachment))
    try:
        message = message_from_bytes(data, policy=policy.compat32)
    except (HeaderParseError, LookupError, UnicodeError, ValueError, TypeError, IndexError) as exc:
        raise ReferralEmailError(f"not a readable email ({exc})") from None
    body, attachment, warnings = _parts(message, max_attachment)
    referral, certificate = parse_body(body)
    certificate.update(attachment)
    return ReferralEmail(
        message_id=_clean_header(message.get("Message-ID")),
        sender=_clean_header(message.get("From")),
        subject=_clean_header(message.get("Subject")),
        referral=referral,
        certificate=certificate,
        warnings=warnings,
        sent_at=_date_header(message.get("Date")),
    )


def _date_header(value) -> datetime | None:
    try:
        moment = parsedate_to_datetime(_clean_header(value) or "")
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else None


def _split_row(line: str) -> list[str]:
    text = line.strip()
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    text = text[1:]
    cells, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch if ch in "|\\" else "\\" + ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(ch)
    if escaped:
        current.append("\\")
    cells.append("".join(current))
    return [c.strip() for c in cells]


def _is_rule(cells: list[str]) -> bool:
    return all(re.fullmatch(r":?-{3,}:?", c) for c in cells)


class _Reader:
    """Reads the lines between START and END into a referral, line by line."""

    def __init__(self):
        self.referral = empty_referral()
        self.certificate = {"request_purpose": None, "content": None}
        self.section = None
        self.columns = None  # the current table's columns, once its header row is read
        self.after_header = False
        self.seen = {}
        self.last_field = None

    def fail(self, number: int, message: str):
        raise ReferralEmailError(f"line {number}: {message}")

    def _target(self, path):
        if path[0] == "certificate":
            return self.certificate, path[-1]
        data = self.referral
        for part in path[:-1]:
            data = data[part]
        return data, path[-1]

    def convert(self, number, label, raw, limit, kind):
        value = raw.strip()
        if not value or _key(value) == _key(ABSENT):
            return None
        if CONTROL_CHARACTERS.search(value):
            self.fail(number, f"{label} has control characters")
        if kind == "date":
            try:
                return iso_date(value)
            except ValueError as exc:
                self.fail(number, f"{label}: {exc}")
        if kind == "reason":
            if _key(value) not in REQUEST_REASONS:
                self.fail(number, f"{label}: {value!r} is not one of {', '.join(REQUEST_REASONS)}")
            return _key(value)
        if limit and len(value) > LIMITS[limit]:
            self.fail(number, f"{label} is {len(value)} characters long; at most {LIMITS[limit]} are kept")
        return value

    def heading(self, number, name):
        if name in self.seen.get("sections", set()):
            self.fail(number, f"the section {name} is given twice")
        self.seen.setdefault("sections", set()).add(name)
        self.section, self.columns, self.last_field = name, None, None

    def field(self, number, label, raw):
        spec = SECTIONS.get(self.section)
        if spec is None:
            self.fail(number, f"{label!r} is not under a section heading ({', '.join(SECTIONS)})")
        if isinstance(spec, tuple):
            self.fail(number, f"the {self.section} section is a table (lines starting with '|'), not fields")
        key = ALIASES.get(_key(label), _key(label))
        field = next((field for field in spec if _key(field[0]) == key), None)
        if field is None:
            known = ", ".join(name for name, *_ in spec)
            self.fail(number, f"{label!r} is not a field of {self.section} (its fields: {known})")
        name, path, limit, kind = field
        value = self.convert(number, name, raw, limit, kind)
        target, attr = self._target(path)
        if kind == "list":
            if value is not None and value not in target[attr]:
                target[attr].append(value)
            self.last_field = None
            return
        previous = self.seen.get(path, _UNSET)
        if previous is not _UNSET and previous != value:
            self.fail(number, f"{name} is given twice, with different values")
        self.seen[path] = value
        target[attr] = value
        self.last_field = (number, name, path, limit, kind, raw)

    def is_field(self, line: str) -> bool:
        """Whether a line is one of the current section's labelled fields (not a continuation)."""
        spec = SECTIONS.get(self.section)
        match = _field(line)
        if not match or not isinstance(spec, list):
            return False
        key = ALIASES.get(_key(match[0]), _key(match[0]))
        return any(_key(name) == key for name, *_ in spec)

    def continuation(self, number, text):
        first, name, path, limit, kind, raw = self.last_field
        self.seen.pop(path, None)
        self.last_field = None
        target, attr = self._target(path)
        target[attr] = None
        self.field(number, name, raw.rstrip() + " " + text.strip())

    def row(self, number, line):
        spec = SECTIONS.get(self.section)
        if not isinstance(spec, tuple):
            tables = ", ".join(name for name, kind in SECTIONS.items() if isinstance(kind, tuple))
            self.fail(number, f"a table row outside the tables ({tables})")
        path, columns = spec
        cells = _split_row(line)
        if self.columns is None:
            by_label = {_key(label): column for column in columns for label in [column[0]]}
            header = [by_label.get(_key(c)) for c in cells]
            if not cells or None in header or len(set(map(id, header))) != len(header):
                expected = " | ".join(c[0] for c in columns)
                self.fail(number, f"the {self.section} table must start with its header row: | {expected} |")
            self.columns = header
            self.after_header = True
            return
        if self.after_header and _is_rule(cells):
            self.after_header = False
            return
        self.after_header = False
        if len(cells) != len(self.columns):
            self.fail(number, f"this {self.section} row has {len(cells)} cells; the header has {len(self.columns)}")
        item = {key: None for _, key, _, _ in columns}
        for (label, key, limit, kind), raw in zip(self.columns, cells, strict=False):
            item[key] = self.convert(number, label, raw, limit, kind)
        if any(v is not None for v in item.values()):
            target, attr = self._target(path)
            target[attr].append(item)


_UNSET = object()
# the label runs to the first colon; no part of the pattern can backtrack, so a long hostile
# line costs time in proportion to its length (a lazy label took 23 s on an 80 KB line)
_FIELD = re.compile(r"([^:|\s][^:|]*):(.*)", re.DOTALL)


def _field(line: str) -> tuple[str, str] | None:
    """A ``Label: value`` line as (label, value), or None."""
    match = _FIELD.fullmatch(line.strip())
    if not match:
        return None
    return match.group(1).rstrip(), match.group(2).lstrip()


def parse_body(text: str) -> tuple[dict, dict]:
    """The referral and the certificate's labelled fields from the plain-text body."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if _heading(line) == START]
    if not starts:
        raise ReferralEmailError(f"not an ACRO referral: the body has no '{START}' line")
    if len(starts) > 1:
        raise ReferralEmailError(f"the body has {len(starts)} '{START}' lines: send one referral per email")
    ends = [i for i, line in enumerate(lines) if _heading(line) == END and i > starts[0]]
    if not ends:
        raise ReferralEmailError(f"the referral is incomplete: no '{END}' line after '{START}'")
    reader = _Reader()
    for index in range(starts[0] + 1, ends[0]):
        number, line = index + 1, lines[index]
        if not line.strip():
            reader.last_field = None
            continue
        if line[:1] in (" ", "\t") and reader.last_field is not None and not reader.is_field(line):
            reader.continuation(number, line)
            continue
        heading = _heading(line)
        if heading in SECTIONS:
            reader.heading(number, heading)
        elif heading is not None:
            reader.fail(number, f"'{heading}' where it does not belong")
        elif line.lstrip().startswith("|"):
            reader.row(number, line)
        else:
            match = _field(line)
            if not match:
                reader.fail(
                    number,
                    f"not a labelled field ('Label: value'), a section heading or a table row: {line.strip()[:80]!r}",
                )
            reader.field(number, *match)
    if not names_someone(reader.referral):
        raise ReferralEmailError(NAMES_NO_ONE)
    return reader.referral, reader.certificate
