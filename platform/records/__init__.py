"""The generic record runtime: storage, query compiler, write pipeline, history, duplicates, API."""
