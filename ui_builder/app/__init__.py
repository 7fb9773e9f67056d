"""The CRM in the browser (`/app/…`): pages generated from the tenant's metadata, under the user's rights.

Views gather what a template needs from the record, metadata and security services and render it;
they never build SQL or decide anything from a field type's name: a field draws itself through the
widget registry (`widgets.py`), keyed by the widget its type names (`FieldType.widget`).
"""
