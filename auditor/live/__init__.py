"""Live audits: read-only connectors that pull an account's profile, settings and posts from
its platform's API into the same snapshot (`SourceImport`) that platform's importer makes
from an export, so `auditor audit` runs every check on them unchanged."""
