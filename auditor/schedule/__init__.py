"""Periodic self-audits: `auditor schedule` runs the config's audit on its `[schedule] cron`,
writes dated reports, keeps the last N, and can e-mail one (see docs/architecture.md)."""
