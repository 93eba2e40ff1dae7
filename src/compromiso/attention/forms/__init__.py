"""The forms of attention management's staff pages, one module per part."""
