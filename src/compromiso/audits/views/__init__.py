"""Staff pages of the audits app, one module per noun."""
