"""Invoices: VAT split, Chinese uppercase amounts, PDF (issue 3)."""
