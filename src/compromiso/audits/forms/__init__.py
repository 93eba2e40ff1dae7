"""Forms of the audits app, one module per noun."""
