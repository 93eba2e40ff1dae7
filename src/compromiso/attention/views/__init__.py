"""Staff pages of attention management, one module per noun."""
