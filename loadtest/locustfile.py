"""Load test: patients logging holds and pain, clinicians reading their reports.

Run by `make loadtest` against gunicorn + PostgreSQL + Redis on 127.0.0.1 only, for a
bounded time. Every hold the server acknowledges is written to LOAD_TOKENS_FILE, so that
`manage.py loadtest_check` can confirm afterwards that each is stored exactly once.
"""

import itertools
import os
import random
import uuid
from urllib.parse import urlsplit

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser

# Locust puts this folder on the path, as running smoke.py does.
from smoke import CSRF, DOMAIN, PASSWORD, PROGRAM, json_status

# How long the simulated people pause between actions, as a share of a person's pace
# (1). LOAD_PAUSE=0 sends the next request as soon as the last is answered: overload.
PAUSE = float(os.environ.get("LOAD_PAUSE", "1"))

patient_numbers = itertools.count()
clinician_numbers = itertools.count()
acknowledged = set()


def log_in(user, email):
    page = user.client.get("/accounts/login/", name="login page")
    page.raise_for_status()
    token = CSRF.search(page.text).group(1)
    with user.client.post(
        "/accounts/login/",
        {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        name="log in",
        catch_response=True,
    ) as response:
        # A refused login shows the form again, with 200.
        refused = urlsplit(response.url).path == "/accounts/login/"
        if refused:
            response.failure(f"{email} was not logged in")
    response.raise_for_status()
    if refused:
        raise StopUser()


def expect_saved(response):
    """True when the entry the device sent is saved, or was already; anything else is a
    failure of the load test."""
    status = json_status(response)
    if response.status_code in (200, 201) and status in ("saved", "already-saved"):
        return True
    response.failure(f"{response.status_code}: {response.text[:200]}")
    return False


class Patient(HttpUser):
    weight = 5
    wait_time = between(0.5 * PAUSE, 2 * PAUSE)

    def on_start(self):
        log_in(self, f"patient{next(patient_numbers)}@{DOMAIN}")
        self.read_today()

    def read_today(self):
        page = self.client.get("/today/", name="today")
        self.csrf = CSRF.search(page.text).group(1)
        found = PROGRAM.search(page.text)
        self.program = found.group(1) if found else None

    @task(6)
    def log_a_hold(self):
        if self.program is None:
            return
        token = str(uuid.uuid4())
        side = random.choice(["left", "right"])  # noqa: S311
        data = {"side": side, "seconds": "30", "client_token": token}
        headers = {"Accept": "application/json", "X-CSRFToken": self.csrf}
        url = f"/program/{self.program}/holds/"

        def send():
            with self.client.post(
                url, data, headers=headers, name="log hold", catch_response=True
            ) as response:
                if expect_saved(response):
                    acknowledged.add(token)

        # Now and then the same hold arrives twice: both copies at once (two tabs flushing
        # their outbox together), or one after the other (a resend after a lost answer).
        # Either way it must be stored once.
        chance = random.random()  # noqa: S311
        if chance < 0.05:
            gevent.joinall([gevent.spawn(send), gevent.spawn(send)])
        else:
            for _ in range(2 if chance < 0.15 else 1):
                send()

    @task(2)
    def log_pain(self):
        data = {"score": str(random.randint(0, 10)), "context": "checkin"}  # noqa: S311
        data["client_token"] = str(uuid.uuid4())
        headers = {"Accept": "application/json", "X-CSRFToken": self.csrf}
        with self.client.post(
            "/pain/", data, headers=headers, name="log pain", catch_response=True
        ) as response:
            expect_saved(response)

    @task(2)
    def today(self):
        self.read_today()

    @task(1)
    def history(self):
        self.client.get("/history/", name="history")


class Clinician(HttpUser):
    weight = 1
    wait_time = between(2 * PAUSE, 5 * PAUSE)

    def on_start(self):
        log_in(self, f"clinician{next(clinician_numbers) % 2}@{DOMAIN}")

    @task
    def report(self):
        self.client.get("/clinic/", name="clinician report")


@events.test_stop.add_listener
def write_acknowledged(environment, **kwargs):
    path = os.environ.get("LOAD_TOKENS_FILE")
    if path:
        with open(path, "w") as out:
            out.write("\n".join(sorted(acknowledged)))
