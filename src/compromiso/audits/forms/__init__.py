"""Forms of the audits app's staff pages, one module per noun."""
