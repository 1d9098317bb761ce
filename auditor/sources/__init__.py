"""Sources: one module per platform export (or API), each a plugin in `auditor.sources`."""
