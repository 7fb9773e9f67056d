"""Users, and later departments, roles, profiles, sharing and the permission service."""
