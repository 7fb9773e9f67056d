"""Metadata use cases. Each one checks the actor's right, validates against the JSON Schemas and the
field types, writes the rows and any storage change, and records the change (version bump) — all in
one transaction. The runtime sees the result through metadata.cache on the next read. (A user's
personal list views are preferences, not tenant metadata: neither locked nor versioned.)"""

from .categories import create_category, delete_category, update_category
from .conversion import change_field_type
from .fields import add_field, check_field, delete_field, restore_field, update_field
from .layouts import create_layout, delete_layout, update_layout
from .list_views import create_list_view, delete_list_view, update_list_view, visible_list_views
from .objects import create_object, delete_object, system_section, update_object

__all__ = [
    "add_field", "change_field_type", "create_category", "create_layout", "create_list_view", "create_object",
    "delete_category", "delete_field", "delete_layout", "delete_list_view", "restore_field", "update_category",
    "update_field", "update_layout", "update_list_view", "visible_list_views", "update_object",
    "system_section", "check_field", "delete_object",
]
