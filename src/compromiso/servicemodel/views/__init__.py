"""Staff pages of the service model app, one module per noun."""
