"""Background work of the security app (tenant-aware: runs in the schema it was queued from)."""

from tessera.celery import app


@app.task(name="tessera.security.tasks.send_password_reset")
def send_password_reset(email: str, base_url: str, language: str) -> bool:
    from .services.password_reset import send_password_reset as send

    return send(email, base_url=base_url, language=language)
