"""Beat drains the outbox: whatever the relay after a commit could not hand to the broker."""

from tessera.celery import app

from . import relay


@app.task(name="tessera.outbox.tasks.drain", ignore_result=True)
def drain() -> int:
    return relay.relay()
