"""What the core app registers once Django's apps are loaded (see CoreConfig.ready)."""

from tessera.api import spectacular  # noqa: F401 - registers the authentication schemes

from . import jobs, tasks

jobs.job_kinds.register("core.clear_expired_sessions", tasks.clear_expired_sessions_job)
