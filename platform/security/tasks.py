"""Background work of the security app (tenant-aware: runs in the schema it was queued from)."""

from tessera.celery import app

from .services import password_reset


@app.task(name="tessera.security.tasks.send_password_reset")
def send_password_reset(email: str, base_url: str, language: str) -> bool:
    return password_reset.send_password_reset(email, base_url=base_url, language=language)
