"""Staff pages for cases, one module per noun: the inbox, a case, setup, analytics."""
