"""Import and export: spreadsheets in (readers, cell parsing, column mapping, the import job with
its history and undo) and tables out (the export job, and the writer reports use)."""
