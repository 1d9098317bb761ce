"""Settings checks: an account's privacy settings and public profile against the baseline for
its role (`baseline.toml`)."""
