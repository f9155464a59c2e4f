"""Bank statements: reading the exports of Chinese corporate online banking, and matching lines to contracts."""
