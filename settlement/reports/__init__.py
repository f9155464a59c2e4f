"""Writers for the reconciliation report: CSV, XLSX and PDF for people, JSON for machines."""
