"""Cross-cutting runtime pieces: request context, logging, jobs with progress, health, migrations."""
