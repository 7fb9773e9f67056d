"""The transactional outbox: Celery tasks are queued through the database.

`send_on_commit()` writes the task (name, arguments, the schema it runs in) into a table of the
public schema, in the caller's transaction, so a task is queued exactly when the change that queues
it commits: a rollback queues nothing, and a broker that is down cannot fail or lose it. After the
commit a relay hands the message to the broker at once (best effort); what it could not hand over
stays in the table, and beat's `tessera.outbox.tasks.drain` sends it once the broker is back.
A message may reach the broker twice (sent, then the row's delete lost in a crash): the tasks
queued this way are idempotent (tessera.core.jobs).
"""
