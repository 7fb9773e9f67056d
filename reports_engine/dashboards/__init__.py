"""Dashboards and the personal desktop: panels placed on a grid, kept as metadata (a JSONB spec
validated by `dashboard.json`); shared dashboards are versioned in the metadata history, personal
ones (and each user's desktop) are that user's preferences."""
