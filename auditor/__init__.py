"""footprint-auditor: audit a clinician's social-media footprint, locally."""

__version__ = "0.1.0"
