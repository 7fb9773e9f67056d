"""What the security app registers once Django's apps are loaded (see CoreConfig.ready): its
authentication hooks and signal receivers."""

from . import auth, signals  # noqa: F401 - auth registers its hooks on import

signals.connect()
