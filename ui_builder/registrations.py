"""What the UI app registers once Django's apps are loaded (see tessera.core's AppConfig): its
system checks."""

from . import checks  # noqa: F401 - registers the system checks
