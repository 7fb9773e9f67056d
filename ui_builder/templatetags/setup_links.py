"""`{% load setup_links %}`: whether the signed-in user may open /setup/ (the app's user menu links
there for them only)."""

from django import template

from ui_builder.setup.access import can_customise as _can_customise

register = template.Library()


@register.filter
def can_customise(user) -> bool:
    return _can_customise(user)


@register.filter
def get_item(mapping, key):
    """`{{ mapping|get_item:key }}`: a dict's value for a key held in a variable."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""
