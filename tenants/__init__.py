"""Tenants, their domains and plans; provisioning by cloning the base schema."""
