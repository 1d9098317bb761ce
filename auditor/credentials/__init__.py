"""The user's credential exports: authenticator apps' TOTP entries (and, later, password
managers' logins). What they hold is secret: it lives in memory only and never reaches a
report, a log line or an error message; only counts, issuers and platforms do."""
