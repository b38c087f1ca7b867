"""Roof: the nightly jobs (backup, retention) and the report figures' count, as Celery tasks."""
