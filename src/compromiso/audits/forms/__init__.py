"""Forms of the audits app, one module per noun."""
"""Forms of the audits app, one module per noun. Saving always goes through services."""
"""Forms of the audits app's staff pages, one module per noun."""
