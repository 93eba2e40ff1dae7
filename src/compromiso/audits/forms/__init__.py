"""Forms of the audits app, one module per noun. Saving always goes through services."""
