"""What the metadata app registers once Django's apps are loaded (see CoreConfig.ready): the
built-in field types, the field conversion job kind and the field types' system checks."""

from tessera.core.jobs import job_kinds

from . import fieldtypes, services
from .fieldtypes import checks  # noqa: F401 - registers the system checks

fieldtypes.register_builtin_types()
job_kinds.register("metadata.convert_field", services.conversion.convert_field_job)
