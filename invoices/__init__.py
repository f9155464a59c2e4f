"""Invoices (发票) as the tax platform issues them: the invoice request (开票信息, JSON and a PDF that is
not an invoice), the platform's invoices recorded with their numbers and files, red-letter invoices,
VAT and uppercase amounts (issues 3 and 13)."""
