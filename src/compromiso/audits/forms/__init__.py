"""Forms of the audits app, one module per noun. Saving always goes through services."""
"""Forms of the audit pages, one module per noun."""
