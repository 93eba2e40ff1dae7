"""Staff pages of audits, one module per noun."""
