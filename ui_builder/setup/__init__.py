"""`/setup/`: the designers a business administrator configures the CRM with (see
docs/architecture.md, "Setup"). Every page is an adapter over the metadata, security and tenants
services: the same validation and history as the API, no second path."""
