"""The outbox of e-mails, delivered by the task queue."""
