"""The platform's file of an issued invoice: what kind it is, judged by its bytes.

The 电子发票服务平台 hands out each invoice as XML (the data), PDF and OFD (GB/T 33190, a ZIP
package whose root holds ``OFD.xml``). A file is accepted when its first bytes say it is one
of these and the ``Content-Type`` the client sent agrees (``application/octet-stream`` lets
the bytes decide); it is stored as sent, with its SHA-256.
"""
from __future__ import annotations

import hashlib
import io
import zipfile

from settlement.i18n import Text, _

XML, PDF, OFD = "xml", "pdf", "ofd"
CONTENT_TYPES = {XML: "application/xml", PDF: "application/pdf", OFD: "application/ofd"}
DECLARED = {
    "application/xml": XML, "text/xml": XML, "application/pdf": PDF, "application/ofd": OFD,
    "application/octet-stream": None,
}
EXTENSIONS = {XML: "xml", PDF: "pdf", OFD: "ofd"}
MAX_BYTES = 1024 * 1024   # INVOICE_FILE_MAX_BYTES; never above the request body limit (MAX_BODY_BYTES)


def sniff(data: bytes) -> str | None:
    """``xml``, ``pdf`` or ``ofd`` from the file's own bytes, else None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = z.namelist()
        except (zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError):
            return None
        return OFD if "OFD.xml" in names else None
    head = data[:512]
    for bom in (b"\xef\xbb\xbf",):
        if head.startswith(bom):
            head = head[len(bom):]
    head = head.lstrip(b" \t\r\n")
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return XML
    return None


def check(data: bytes, declared: str | None) -> tuple[str, str]:
    """(kind, content type to serve) for an acceptable file; :class:`FileRefused` (415) otherwise."""
    mimetype = (declared or "").split(";", 1)[0].strip().lower()
    if mimetype not in DECLARED:
        raise FileRefused(_("send the platform's file as application/xml, application/pdf or application/ofd "
                            "(or application/octet-stream), not {content_type}",
                            content_type=mimetype or "no Content-Type"), status=415)
    kind = sniff(data)
    if kind is None:
        raise FileRefused(_("the file is not XML, PDF or OFD: its first bytes are none of <?xml, %PDF- or an "
                            "OFD package (ZIP with OFD.xml)"), status=415)
    if DECLARED[mimetype] not in (None, kind):
        raise FileRefused(_("the file is {kind} but Content-Type says {content_type}", kind=kind.upper(),
                            content_type=mimetype), status=415)
    return kind, CONTENT_TYPES[kind]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileRefused(Exception):
    def __init__(self, message: Text, status: int):
        super().__init__(str(message))
        self.message, self.status = message, status
