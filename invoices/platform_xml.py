"""The tax platform's XML file of a 数电票, read safely and checked against the recorded invoice.

The layout is the 数电票 XML the 电子发票服务平台 hands out (the Ministry of Finance's 电子凭证会计
数据标准 publishes it): root ``EInvoice`` with

- ``Header/EIid`` and ``Header/InherentLabel`` (``InIssuType/LabelCode`` Y for a blue invoice,
  N for a red one; ``GeneralOrSpecialVAT/LabelName`` 增值税专用发票 or 普通发票);
- ``EInvoiceData/SellerInformation`` (``SellerIdNum``, ``SellerName``),
  ``EInvoiceData/BuyerInformation`` (``BuyerIdNum``, ``BuyerName``),
  ``EInvoiceData/BasicInformation`` (``TotalAmWithoutTax`` 金额, ``TotalTaxAm`` 税额,
  ``TotalTax-includedAmount`` 价税合计, ``RequestTime``), one or more
  ``EInvoiceData/IssuItemInformation`` (``ItemName``, ``Amount``, ``TaxRate`` as a decimal
  such as 0.06, ``ComTaxAm``);
- ``TaxSupervisionInfo`` (``InvoiceNumber``, the 20-digit number; ``IssueTime``, the issue
  date; ``TaxBureauCode``, ``TaxBureauName``) and ``TaxBureauSignature``.

Parsing uses defusedxml with DTDs forbidden: a file that declares a DTD (so any entity:
external entities, "billion laughs") is refused before anything is expanded. Elements are
matched by local name, so a namespace on the root does not matter.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from settlement.i18n import Text, _


class UnreadableXml(Exception):
    """The file is not XML the service will read (malformed, a DTD, entities)."""

    def __init__(self, message: Text):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class PlatformInvoice:
    """What the platform's XML says (text as written; None when the element is absent)."""

    number: str | None
    issue_time: str | None
    blue: str | None                 # InIssuType LabelCode: Y blue, N red
    kind_name: str | None            # GeneralOrSpecialVAT LabelName
    seller_id: str | None
    seller_name: str | None
    buyer_id: str | None
    buyer_name: str | None
    net: str | None
    tax: str | None
    total: str | None
    rates: tuple[str, ...]


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _find(node: Element | None, *path: str) -> Element | None:
    for name in path:
        if node is None:
            return None
        node = next((child for child in node if _local(child.tag) == name), None)
    return node


def _text(node: Element | None, *path: str) -> str | None:
    found = _find(node, *path)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def parse(data: bytes) -> PlatformInvoice:
    """Read the platform's XML; :class:`UnreadableXml` when it is malformed or declares a DTD."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise UnreadableXml(_("the XML declares a DTD or entities, which the service refuses to read "
                              "(the platform's invoice XML has none)")) from None
    except (ParseError, ValueError, UnicodeError) as exc:
        raise UnreadableXml(_("the file is not well-formed XML: {reason}", reason=str(exc)[:200])) from None
    if _local(root.tag) != "EInvoice":
        raise UnreadableXml(_("the XML is not the tax platform's invoice file: its root element is {root}, "
                              "not EInvoice", root=_local(root.tag)[:100]))
    data_node = _find(root, "EInvoiceData")
    items = [child for child in (data_node if data_node is not None else ()) if _local(child.tag) == "IssuItemInformation"]
    return PlatformInvoice(
        number=_text(root, "TaxSupervisionInfo", "InvoiceNumber") or _text(root, "Header", "EIid"),
        issue_time=_text(root, "TaxSupervisionInfo", "IssueTime"),
        blue=_text(root, "Header", "InherentLabel", "InIssuType", "LabelCode"),
        kind_name=_text(root, "Header", "InherentLabel", "GeneralOrSpecialVAT", "LabelName"),
        seller_id=_text(data_node, "SellerInformation", "SellerIdNum"),
        seller_name=_text(data_node, "SellerInformation", "SellerName"),
        buyer_id=_text(data_node, "BuyerInformation", "BuyerIdNum"),
        buyer_name=_text(data_node, "BuyerInformation", "BuyerName"),
        net=_text(data_node, "BasicInformation", "TotalAmWithoutTax"),
        tax=_text(data_node, "BasicInformation", "TotalTaxAm"),
        total=_text(data_node, "BasicInformation", "TotalTax-includedAmount"),
        rates=tuple(t for t in (_text(item, "TaxRate") for item in items) if t is not None),
    )


def same_name(a: str | None, b: str | None) -> bool:
    """Names compare after Unicode NFKC (full-width brackets and spaces as half-width) and trimming."""
    def norm(s):
        return "".join(unicodedata.normalize("NFKC", s or "").split())
    return norm(a) == norm(b)


def _amount(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _rate(text: str) -> Decimal | None:
    text = text.strip()
    try:
        if text.endswith("%"):
            return Decimal(text[:-1]) / 100
        return Decimal(text)
    except InvalidOperation:
        return None


def _date(text: str | None) -> date | None:
    if not text:
        return None
    head = text.strip()[:10]
    try:
        return date.fromisoformat(head)
    except ValueError:
        return None


def differences(found: PlatformInvoice, record: dict) -> dict[str, list[Text]]:
    """Each field where the XML and the recorded invoice disagree, keyed by the record's field name.

    ``record``: number, issued_on, total, net, tax, rate, red_letter, type, buyer{name,
    taxpayer_id}, seller{name, taxpayer_id} (the invoice as ``GET /invoices/{id}`` shows it)."""
    out: dict[str, list[Text]] = {}

    def differ(field: str, element: str, in_file, in_record) -> None:
        out[field] = [_("the platform's file says {element} = {in_file}; the recorded invoice has {in_record}",
                        element=element, in_file="(missing)" if in_file in (None, "") else in_file,
                        in_record="(none)" if in_record in (None, "") else in_record)]

    if found.number != record["number"]:
        differ("number", "TaxSupervisionInfo/InvoiceNumber", found.number, record["number"])
    issued = _date(found.issue_time)
    if issued != record["issued_on"]:
        differ("issued_on", "TaxSupervisionInfo/IssueTime", found.issue_time, record["issued_on"].isoformat())
    if found.blue is not None and found.blue.upper() not in ("Y", "N"):
        differ("red_letter", "Header/InherentLabel/InIssuType/LabelCode", found.blue,
               "N (red-letter)" if record["red_letter"] else "Y (blue)")
    elif found.blue is not None and (found.blue.upper() == "N") != record["red_letter"]:
        differ("red_letter", "Header/InherentLabel/InIssuType/LabelCode", found.blue,
               "N (red-letter)" if record["red_letter"] else "Y (blue)")
    if found.kind_name is not None:
        special = "专用" in found.kind_name
        if special != (record["type"] == "special"):
            differ("type", "Header/InherentLabel/GeneralOrSpecialVAT/LabelName", found.kind_name,
                   "增值税专用发票" if record["type"] == "special" else "普通发票")
    for field, element, in_file in (("seller.name", "SellerInformation/SellerName", found.seller_name),
                                    ("buyer.name", "BuyerInformation/BuyerName", found.buyer_name)):
        party = record[field.split(".")[0]]
        if not same_name(in_file, party["name"]):
            differ(field, f"EInvoiceData/{element}", in_file, party["name"])
    for field, element, in_file in (("seller.taxpayer_id", "SellerInformation/SellerIdNum", found.seller_id),
                                    ("buyer.taxpayer_id", "BuyerInformation/BuyerIdNum", found.buyer_id)):
        party = record[field.split(".")[0]]
        if (in_file or "").upper() != (party.get("taxpayer_id") or "").upper():
            differ(field, f"EInvoiceData/{element}", in_file, party.get("taxpayer_id"))
    for field, element, in_file in (("total", "BasicInformation/TotalTax-includedAmount", found.total),
                                    ("net", "BasicInformation/TotalAmWithoutTax", found.net),
                                    ("tax", "BasicInformation/TotalTaxAm", found.tax)):
        if _amount(in_file) != Decimal(record[field]):
            differ(field, f"EInvoiceData/{element}", in_file, f"{Decimal(record[field]):.2f}")
    rate = Decimal(record["rate"])
    rates = [_rate(r) for r in found.rates]
    if not rates or any(r is None or r != rate for r in rates):
        differ("rate", "EInvoiceData/IssuItemInformation/TaxRate", ", ".join(found.rates) or None,
               format(rate.normalize(), "f"))
    return out
