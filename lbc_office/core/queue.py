"""Sending a Celery task from a service, by the task's name.

Tasks are thin and import the services they call; a service that queues work therefore names
the task instead of importing its module (which would import the service back: a cycle).
"""

from __future__ import annotations

import threading

from celery import current_app
from django.db import transaction

# Celery marks the default modules imported before it has imported them: a second thread that
# asked meanwhile found the task unregistered (two services queueing at once, in one process).
_importing = threading.Lock()


def enqueue_on_commit(task_name: str, *args) -> None:
    """Queue the task named ``task_name`` with ``args`` once the current transaction commits
    (at once outside one). ``task_always_eager`` is obeyed as for ``task.delay``."""

    def send():
        if task_name not in current_app.tasks:
            with _importing:
                current_app.loader.import_default_modules()  # the apps' tasks modules
        current_app.tasks[task_name].delay(*args)

    transaction.on_commit(send)
