"""The certificate PDF that comes with a referral email: parsed, not just sniffed.

The certificate is filed with the case and opened by caseworkers, so a PDF that would run
something when opened, or that expands to far more than it weighs, is refused before it is
kept. ``check_certificate`` reads every object of the file with pypdf (under pypdf's own
resource limits, set lower here) and raises ``CertificatePdfError`` saying what is wrong.
The rules are in docs/referral-email.md.
"""

from __future__ import annotations

import logging
import re
import warnings
from io import BytesIO

from pypdf import PdfReader, apply_configuration
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError
from pypdf.filters import ASCII85Decode, ASCIIHexDecode, FlateDecode, LZWDecode, RunLengthDecode
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject, NullObject, StreamObject

MAX_STREAM_DECODED = 32 * 1024 * 1024  # one stream, once its compression is undone
MAX_TOTAL_DECODED = 128 * 1024 * 1024  # every stream of the file together
MAX_OBJECTS = 50_000
MAX_PAGES = 500

# what an action dictionary's /S may not be: each would do something beyond showing the page
REFUSED_ACTIONS = {
    "/JavaScript": "a JavaScript action",
    "/Launch": "a launch action (it starts a program or opens a file)",
    "/ImportData": "an import-data action",
    "/SubmitForm": "a submit-form action (it sends data elsewhere)",
    "/GoToR": "an action that opens another file",
    "/GoToE": "an action that opens an embedded file",
    "/RichMediaExecute": "a rich-media action",
    "/Rendition": "a media rendition action (it can carry JavaScript)",
}
# keys that carry scripts or files anywhere in the document
REFUSED_KEYS = {
    "/JS": "JavaScript",
    "/JavaScript": "JavaScript",
    "/EmbeddedFiles": "embedded files",
    "/EmbeddedFile": "an embedded file",
    "/RichMedia": "rich media (Flash or video with scripts)",
    "/XFA": "an XFA form (which can run scripts)",
}

# filters that undo compression: decoded here (bounded) to see what they expand to
_DECODERS = {
    "/FlateDecode": lambda data, params: FlateDecode.decode(data, params),
    "/LZWDecode": lambda data, params: LZWDecode.decode(data, params),
    "/RunLengthDecode": lambda data, params: RunLengthDecode.decode(data),
    "/ASCIIHexDecode": lambda data, params: ASCIIHexDecode.decode(data),
    "/ASCII85Decode": lambda data, params: ASCII85Decode.decode(data),
}
# image codecs: the data stays as it is until a viewer draws it, at the image's own size
_IMAGE_FILTERS = {"/DCTDecode", "/JPXDecode", "/JBIG2Decode", "/CCITTFaxDecode", "/Crypt"}

_LIMITS = {
    "maximum_declared_stream_length": MAX_STREAM_DECODED,
    "zlib_maximum_output_length": MAX_STREAM_DECODED,
    "lzw_maximum_output_length": MAX_STREAM_DECODED,
    "run_length_maximum_output_length": MAX_STREAM_DECODED,
    "array_based_stream_maximum_output_length": MAX_STREAM_DECODED,
    "stream_decoding_work_maximum_length": 4 * MAX_STREAM_DECODED,
    "image_maximum_buffer_size": MAX_STREAM_DECODED,
    "page_tree_maximum_entries": MAX_PAGES * 4,
    "jbig2dec_binary": None,  # never start an outside program on a file from outside
}

# a PDF name in the file's own bytes (outside streams), for objects the cross-reference
# table does not list but a lenient viewer could still find
_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_STREAM_BODY = re.compile(rb"stream\r?\n.*?endstream", re.DOTALL)


class CertificatePdfError(ValueError):
    """The attachment is not a certificate PDF intake may keep; the text says why."""


def _name(raw: bytes) -> str:
    """A name as PDF reads it: ``#4A`` is ``J``."""
    text = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
    return "/" + text.decode("latin-1")


def _refusal(key: str, value) -> str | None:
    if key in REFUSED_KEYS:
        return f"it contains {REFUSED_KEYS[key]} ({key})"
    if key == "/S" and isinstance(value, NameObject) and value in REFUSED_ACTIONS:
        return f"it contains {REFUSED_ACTIONS[value]} ({value})"
    return None


def _scan(obj) -> str | None:
    """The first refused key or action in one object (its direct dictionaries and arrays)."""
    stack = [obj]
    seen = 0
    while stack:
        item = stack.pop()
        seen += 1
        if seen > 1_000_000:
            return "one object has more than a million entries"
        if isinstance(item, DictionaryObject):
            for key, value in item.items():
                reason = _refusal(key, value)
                if reason:
                    return reason
                if not isinstance(value, IndirectObject):
                    stack.append(value)
        elif isinstance(item, ArrayObject):
            stack.extend(v for v in item if not isinstance(v, IndirectObject))
    return None


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _decoded_size(stream: StreamObject) -> int:
    """How many bytes the stream's compression filters expand it to (bounded by pypdf's limits)."""
    filters = _resolve(stream.get("/Filter"))
    if filters is None or isinstance(filters, NullObject):
        filters = []
    elif not isinstance(filters, ArrayObject):
        filters = [filters]
    params = _resolve(stream.get("/DecodeParms"))
    if not isinstance(params, ArrayObject):
        params = [params] * len(filters)
    data = stream._data or b""  # the raw (decrypted) bytes; pypdf keeps them here
    for index, name in enumerate(filters):
        name = _resolve(name)
        if name in _IMAGE_FILTERS:
            break
        if name not in _DECODERS:
            raise CertificatePdfError(f"the certificate PDF uses an unknown stream filter {name!s:.40}")
        param = _resolve(params[index]) if index < len(params) else None
        data = _DECODERS[name](data, param if isinstance(param, DictionaryObject) else DictionaryObject())
    return len(data)


def _raw_names(data: bytes) -> str | None:
    """Refused names in the file's bytes outside streams (hex escapes undone)."""
    for match in _NAME.finditer(_STREAM_BODY.sub(b" ", data)):
        name = _name(match.group(1))
        if name in REFUSED_KEYS or name in REFUSED_ACTIONS:
            return f"it contains {REFUSED_KEYS.get(name) or REFUSED_ACTIONS[name]} ({name})"
    return None


def check_certificate(data: bytes, filename: str = "") -> None:
    """Refuse a PDF that runs scripts or programs, carries files, or is a decompression bomb."""
    # pypdf warns (and logs) about what it repairs: neither is a reason to stop, nor news for the
    # operator reading intake's output; the verdict is what counts
    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.CRITICAL)
    with apply_configuration(**_LIMITS), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            _check(data, filename)
        except CertificatePdfError:
            raise
        except LimitReachedError:
            raise CertificatePdfError(
                f"{_label(filename)} expands to more than "
                f"{MAX_STREAM_DECODED // 1048576} MB when decompressed (a decompression "
                "bomb)"
            ) from None
        except FileNotDecryptedError:
            raise CertificatePdfError(
                f"{_label(filename)} is encrypted with a password, so it cannot be checked or read"
            ) from None
        except DependencyError as exc:
            raise CertificatePdfError(
                f"{_label(filename)} is encrypted in a way intake cannot undo "
                f"({str(exc)[:120]}), so it cannot be checked"
            ) from None
        except RecursionError:
            raise CertificatePdfError(f"{_label(filename)} nests its objects too deeply") from None
        except (
            PyPdfError,
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            AttributeError,
            OSError,
            NotImplementedError,
            AssertionError,
            UnicodeError,
        ) as exc:
            raise CertificatePdfError(
                f"{_label(filename)} is damaged and cannot be read ({type(exc).__name__}: {str(exc)[:120]})"
            ) from None
        finally:
            log.setLevel(level)


def _label(filename: str) -> str:
    return f"the certificate PDF {filename}".rstrip()


def _check(data: bytes, filename: str) -> None:
    prefix = f"{_label(filename)} is refused: "
    reason = _raw_names(data)
    if reason:
        raise CertificatePdfError(prefix + reason)
    reader = PdfReader(BytesIO(data), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise FileNotDecryptedError("needs a password")
    numbers = [(gen, num) for gen, table in reader.xref.items() for num in table]
    numbers += [(0, num) for num in reader.xref_objStm]
    if len(numbers) > MAX_OBJECTS:
        raise CertificatePdfError(prefix + f"it has {len(numbers)} objects (at most {MAX_OBJECTS})")
    total = 0
    for gen, num in numbers:
        obj = reader.get_object(IndirectObject(num, gen, reader))
        reason = _scan(obj)
        if reason:
            raise CertificatePdfError(prefix + reason)
        if isinstance(obj, StreamObject):
            total += _decoded_size(obj)
            if total > MAX_TOTAL_DECODED:
                raise CertificatePdfError(
                    prefix + f"its streams expand to more than {MAX_TOTAL_DECODED // 1048576}"
                    " MB when decompressed (a decompression bomb)"
                )
    reason = _scan(reader.trailer)
    if reason:
        raise CertificatePdfError(prefix + reason)
    pages = len(reader.pages)
    if pages == 0:
        raise CertificatePdfError(prefix + "it has no pages")
    if pages > MAX_PAGES:
        raise CertificatePdfError(prefix + f"it has {pages} pages (at most {MAX_PAGES})")
