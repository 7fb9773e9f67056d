"""Reports: report definitions compiled to SQL, pivots, charts and dashboards (its own issue).

The seam it builds on: `tessera.records.query.RecordQuery` compiles filters, lookup paths, formulas
(metadata.formulas' SQL back end) and the permission predicate (`tessera.security.access`) for any
object, so a report reads exactly what its viewer may read, with the same values as lists and forms.
"""
