"""Forms of the audit pages, one module per noun."""
