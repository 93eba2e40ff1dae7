"""Forms of the service model app, one module per noun. Saving always goes through services."""
