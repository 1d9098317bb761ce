"""Data sets shipped with the auditor, each with its provenance beside it."""
