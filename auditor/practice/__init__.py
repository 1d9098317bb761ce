"""The practice-wide security review: each member's shareable summary of their own audit
(`share.py`), and the manager's review that combines them (see docs/architecture.md)."""
