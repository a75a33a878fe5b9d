"""Services of a test's own, on ports nobody else uses, so that a test may stop or pause
them without touching the machine's shared Redis and PostgreSQL."""

import email
import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


class RedisServer:
    """A redis-server that keeps nothing on disk: start, stop, pause and resume it."""

    def __init__(self, port):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 -- fixed arguments
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(100):
            if _answers(self.port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None

    def pause(self):
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self):
        os.kill(self.process.pid, signal.SIGCONT)


@pytest.fixture
def own_redis():
    """A Redis of the test's own, removed afterwards."""
    if shutil.which("redis-server") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is missing (install Debian's redis-server)")
        pytest.skip("redis-server is not installed")
    server = RedisServer(free_port())
    server.start()
    yield server
    if server.process is not None:
        server.resume()
    server.stop()


class SmtpServer:
    """aiosmtpd's SMTP server, in a thread of the test process; what it was given is in
    ``messages`` (each parsed by the standard library's e-mail parser)."""

    def __init__(self, port):
        self.port = port
        self.messages = []
        self.controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's name
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 Message accepted for delivery"

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def own_smtp(settings):
    """A mail server of the test's own, which the portal's settings point at."""
    server = SmtpServer(free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 1
    yield server
    server.stop()


@pytest.fixture
def database_queue(settings):
    """Tasks queued in the database, as in production, until a worker runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker():
    """`manage.py db_worker` until nothing is ready to run."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
