"""Metadata: what a tenant defines (objects, fields, categories, layouts, list views…), its JSON
Schemas, the field-type registry, and the cache of immutable snapshots the runtime reads."""
