"""E-mail leaves the request path: every message goes through the task queue.

A request only enqueues (a row in the database, in the same transaction as whatever
asked for the message), so a mail server that is slow or down never slows or fails a
request. `manage.py db_worker` sends; with PORTAL_TASKS=immediate (`make run`, the
tests) each task runs at once in the process that enqueued it.

Delivery is at most once: a message is tried again only when the mail server refused
the connection or the message before taking it, after RETRY_DELAYS, and a task that a
worker dies in the middle of is not run again. Messages that carry a secret (a reset or
invitation link) are built by the worker from ids, so that no link waits in the queue.
"""

import contextlib
import logging
from datetime import timedelta
from smtplib import SMTPException

from django.core.mail import EmailMessage, get_connection
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# After the first try: about a day and a half in all, then the message is given up.
RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=8),
    timedelta(hours=24),
]

# RFC 3834: mail no person sent at that moment; auto-responders must not answer it.
AUTOMATIC = {"Auto-Submitted": "auto-generated"}


def message(*, to, subject, body, automatic=False):
    """One plain-text message from the portal's address to one person."""
    return EmailMessage(
        subject=subject, body=body, to=[to], headers=AUTOMATIC.copy() if automatic else None
    )


def deliver(email):
    """Hand ``email`` to the mail server. True once it has taken it; False (logged) when
    it could not be reached in EMAIL_TIMEOUT or refused it. A failure while saying goodbye after the
    server took the message is no failure: trying again would send it twice."""
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
        connection.send_messages([email])
    except (OSError, SMTPException) as error:
        logger.warning("The mail server did not take a message (%s).", type(error).__name__)
        return False
    finally:
        with contextlib.suppress(OSError, SMTPException):
            connection.close()
    return True


def again_later(task_object, *, attempt, **kwargs):
    """Enqueue ``task_object`` once more, later, unless it has been tried enough (or the
    backend runs tasks at once, where waiting is not possible)."""
    if not task_object.get_backend().supports_defer:
        logger.error("A message (%s) is not sent: tasks run at once here.", task_object.name)
        return None
    if attempt > len(RETRY_DELAYS):
        logger.error("A message (%s) is given up after %d tries.", task_object.name, attempt)
        return None
    run_after = timezone.now() + RETRY_DELAYS[attempt - 1]
    return task_object.using(run_after=run_after).enqueue(attempt=attempt + 1, **kwargs)


def send_later(*, to, subject, body, automatic=False):
    """Enqueue a message that carries no secret, as it is."""
    return send_email.enqueue(to=to, subject=subject, body=body, automatic=automatic)


@task()
def send_email(*, to, subject, body, automatic=False, attempt=1):
    if not deliver(message(to=to, subject=subject, body=body, automatic=automatic)):
        again_later(
            send_email, attempt=attempt, to=to, subject=subject, body=body, automatic=automatic
        )
