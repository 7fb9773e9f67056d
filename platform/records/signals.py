"""Events of the records runtime, sent after the transaction commits (a rolled-back write sends
nothing). Receivers (reminders, search, integrations…) get the schema, the object's api_name, the
action and the record ids; they queue their own work."""

from django.dispatch import Signal

#: kwargs: schema, object, action ("create", "update", "delete", "restore"), ids
records_changed = Signal()
