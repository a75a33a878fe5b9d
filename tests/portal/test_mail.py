"""E-mail leaves the request path (portal/mail.py): a request queues, the worker sends,
a mail server that is down fails no request and is tried again later, and nothing is
sent twice. A real SMTP server (aiosmtpd) takes the mail."""

import re
import socket
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal import invitations, mail
from portal.two_factor import enrolment_link_send
from tests.factories import make_user
from tests.own_services import free_port, run_worker

# The worker closes connections between tasks, as a long-running process should: the
# tests' transaction cannot be kept around it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RESET = reverse("password_reset")


@pytest.fixture
def alice_with_password(alice):
    alice.set_password("a long passphrase for alice")
    alice.save()
    return alice


def queued():
    return list(DBTaskResult.objects.order_by("enqueued_at"))


def link_in(message):
    return re.search(r"https?://\S+", message.get_payload()).group(0)


def test_a_reset_request_only_queues_and_the_worker_sends(
    client,
    alice_with_password,
    database_queue,
    own_smtp,
):
    assert client.post(RESET, {"email": "alice@example.com"}).status_code == 302
    assert own_smtp.messages == []
    [task] = queued()
    assert task.task_path == "portal.forms.password_reset_mail"
    assert task.args_kwargs["kwargs"] == {"email": "alice@example.com"}
    run_worker()
    [message] = own_smtp.messages
    assert message["To"] == "alice@example.com"
    assert message["Subject"] == "Holdfast Physiotherapy: choose a new password"
    assert link_in(message).startswith("http://127.0.0.1:8000/accounts/reset/")


def test_known_and_unknown_addresses_cost_a_reset_request_the_same_work(
    client,
    alice_with_password,
    database_queue,
):
    """Same statements, so the same time: the request never looks the address up."""

    def statements(address):
        with CaptureQueriesContext(connection) as captured:
            assert client.post(RESET, {"email": address}).status_code == 302
        return [re.sub(r"'[^']*'|\d+", "?", query["sql"]) for query in captured]

    known = statements("alice@example.com")
    unknown = statements("nobody@example.com")
    assert known == unknown
    assert [task.args_kwargs["kwargs"]["email"] for task in queued()] == [
        "alice@example.com",
        "nobody@example.com",
    ]
    run_worker()  # the unknown address is sent nothing


def test_a_mail_server_that_is_down_fails_no_request_and_is_tried_again_later(
    client,
    alice_with_password,
    database_queue,
    own_smtp,
):
    own_smtp.stop()
    assert client.post(RESET, {"email": "alice@example.com"}).status_code == 302
    run_worker()
    first, retry = queued()
    assert first.status == "SUCCESSFUL"
    assert retry.status == "READY"
    assert retry.args_kwargs["kwargs"] == {"email": "alice@example.com", "attempt": 2}
    assert retry.run_after > timezone.now() + timedelta(seconds=50)
    own_smtp.start()
    run_worker()  # not yet: the retry waits its minute
    assert own_smtp.messages == []
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    run_worker()
    assert len(own_smtp.messages) == 1


def test_a_mail_server_that_hangs_costs_the_worker_its_timeout(
    alice_with_password,
    settings,
    database_queue,
):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # connections are taken and never answered
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", silent.getsockname()[1]
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 1
    started = time.monotonic()
    delivered = mail.deliver(mail.message(to="alice@example.com", subject="s", body="b"))
    assert time.monotonic() - started < 2.5
    assert delivered is False
    silent.close()


def test_an_invitation_waits_in_the_queue_without_its_link(
    client,
    alice,
    carol,
    database_queue,
    own_smtp,
):
    invitations.invitation_send(user=alice, clinician=carol, by=carol, now=timezone.now())
    [task] = queued()
    assert "welcome" not in str(task.args_kwargs)
    run_worker()
    [message] = own_smtp.messages
    link = link_in(message)
    assert "/accounts/welcome/" in link
    assert client.get(link.removeprefix("http://127.0.0.1:8000"), follow=True).status_code == 200


def test_an_invitation_that_a_newer_one_replaced_is_not_sent(
    alice,
    carol,
    database_queue,
    own_smtp,
):
    invitations.invitation_send(user=alice, clinician=carol, by=carol, now=timezone.now())
    invitations.invitation_send(user=alice, clinician=carol, by=carol, now=timezone.now())
    run_worker()
    assert len(own_smtp.messages) == 1


def test_automatic_mail_says_so_and_a_notice_does_not(database_queue, own_smtp):
    mail.send_later(to="a@example.com", subject="Reminder", body="b", automatic=True)
    mail.send_later(to="b@example.com", subject="Notice", body="b")
    run_worker()
    headers = {message["To"]: message["Auto-Submitted"] for message in own_smtp.messages}
    assert headers == {"a@example.com": "auto-generated", "b@example.com": None}


def test_a_message_is_given_up_after_its_last_retry(database_queue, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = False
    last = len(mail.RETRY_DELAYS) + 1
    mail.send_email.enqueue(to="a@example.com", subject="s", body="b", attempt=last)
    run_worker()
    assert [task.status for task in queued()] == ["SUCCESSFUL"]
    assert f"given up after {last} tries" in caplog.text


def test_staff_two_factor_links_are_made_by_the_worker(database_queue, own_smtp):
    carol = make_user("carol@example.com", is_staff=True)
    enrolment_link_send(user=carol, now=timezone.now())
    [task] = queued()
    assert task.args_kwargs["kwargs"] == {"user_id": carol.pk}
    run_worker()
    [message] = own_smtp.messages
    assert "/accounts/two-factor/enrol/" in link_in(message)
