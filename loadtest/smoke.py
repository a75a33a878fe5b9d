"""Smoke test of the portal as production serves it, before the load test.

    python loadtest/smoke.py http://127.0.0.1:8030 .bench/mail.log

Run by loadtest/run against nginx in front of gunicorn with DEBUG off, the task worker
and the synthetic clinic of `manage.py seed_bulk`; the second argument is where the
trial's mail server writes what it is given. Prints a line for each check that passes;
the first that fails stops the run with a message and exit status 1. It logs one hold
for patient0 and asks for password resets.
"""

import re
import statistics
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import requests

DOMAIN = "bulk.example"  # the synthetic clinic's, see seed_bulk
EMAIL = f"patient0@{DOMAIN}"
PASSWORD = "holdfast-bulk"  # noqa: S105 -- the synthetic clinic's, see seed_bulk
TIMEOUT = 10
A_YEAR = 365 * 24 * 3600
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PROGRAM = re.compile(r'href="/program/(\d+)/"')
# Hashed by collectstatic's manifest: css/portal.css becomes css/portal.<12 hex>.css.
STYLESHEET = re.compile(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"')
MAX_AGE = re.compile(r"max-age=(\d+)")


class SmokeFailure(Exception):
    pass


def expect(condition, failure):
    if not condition:
        raise SmokeFailure(failure)


def passed(message):
    print(f"ok  {message}", flush=True)


def json_status(response):
    try:
        return response.json().get("status")
    except ValueError:
        return None


def check_health(site):
    response = requests.get(f"{site}/healthz", timeout=TIMEOUT)
    expect(response.status_code == 200, f"/healthz answered {response.status_code}, not 200.")
    body = response.json()
    expected = {"status": "ok", "database": "ok", "cache": "ok"}
    expect(body == expected, f"/healthz answered {body}, not {expected}.")
    passed("/healthz: 200, database ok, cache ok")


def log_in(session, site):
    page = session.get(f"{site}/accounts/login/", timeout=TIMEOUT)
    expect(page.status_code == 200, f"The login page answered {page.status_code}, not 200.")
    token = CSRF.search(page.text)
    expect(token, "The login page carries no CSRF token.")
    today = session.post(
        f"{site}/accounts/login/",
        {"username": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)},
        timeout=TIMEOUT,
    )
    landed = urlsplit(today.url).path
    expect(
        today.status_code == 200 and landed == "/today/",
        f"Logging in as {EMAIL} ended on {landed} with {today.status_code}, "
        "not on /today/ with 200.",
    )
    passed(f"log in as {EMAIL}: CSRF token, then /today/ with 200")
    return today


def check_security_headers(today):
    headers = today.headers
    expect("Content-Security-Policy" in headers, "The today page has no Content-Security-Policy.")
    cache_control = headers.get("Cache-Control", "")
    expect(
        "no-store" in cache_control,
        f"The today page's Cache-Control is '{cache_control}', without no-store.",
    )
    nosniff = headers.get("X-Content-Type-Options")
    expect(nosniff == "nosniff", f"The today page's X-Content-Type-Options is {nosniff!r}.")
    passed(f"today page headers: Content-Security-Policy, Cache-Control {cache_control}, nosniff")


def check_hold_saved_once(session, site, today):
    program = PROGRAM.search(today.text)
    expect(program, f"The today page of {EMAIL} links no program.")
    csrf = CSRF.search(today.text)
    expect(csrf, "The today page carries no CSRF token.")
    url = f"{site}/program/{program.group(1)}/holds/"
    data = {"side": "left", "seconds": "30", "client_token": str(uuid.uuid4())}
    headers = {"Accept": "application/json", "X-CSRFToken": csrf.group(1)}
    for attempt, status_code, status in [("first", 201, "saved"), ("again", 200, "already-saved")]:
        response = session.post(url, data, headers=headers, timeout=TIMEOUT)
        expect(
            response.status_code == status_code and json_status(response) == status,
            f"A hold sent {attempt} answered {response.status_code} {response.text[:200]!r}, "
            f"not {status_code} {status!r}.",
        )
    passed("hold POST: 201 saved, then the same client_token 200 already-saved")


def check_static_file(session, site, today):
    stylesheet = STYLESHEET.search(today.text)
    expect(stylesheet, "The today page links no hashed css/portal.css (is DEBUG off?).")
    path = stylesheet.group(1)
    response = session.get(f"{site}{path}", headers={"Accept-Encoding": "gzip"}, timeout=TIMEOUT)
    expect(response.status_code == 200, f"{path} answered {response.status_code}, not 200.")
    cache_control = response.headers.get("Cache-Control", "")
    max_age = MAX_AGE.search(cache_control)
    expect(
        max_age and int(max_age.group(1)) >= A_YEAR,
        f"{path} has Cache-Control '{cache_control}', not a max-age of a year or more.",
    )
    encoding = response.headers.get("Content-Encoding")
    expect(encoding in ("gzip", "br"), f"{path} was sent with Content-Encoding {encoding!r}.")
    passed(f"{path}: 200, Cache-Control {cache_control}, Content-Encoding {encoding}")


def check_bodies_are_capped(session, site, today):
    """The portal refuses a hold with a file part above its 64 KB, and nginx anything
    above its 1 MB before gunicorn sees it: both in JSON to a JSON client."""
    program = PROGRAM.search(today.text).group(1)
    headers = {"Accept": "application/json", "X-CSRFToken": CSRF.search(today.text).group(1)}
    data = {"side": "left", "seconds": "30", "client_token": str(uuid.uuid4())}
    for size, by in [(100 * 1024, "the portal"), (20 * 1024 * 1024, "nginx")]:
        files = {"attachment": ("attachment.bin", b"\0" * size)}
        response = session.post(
            f"{site}/program/{program}/holds/", data, files=files, headers=headers, timeout=30
        )
        expect(
            response.status_code == 413 and "more than this address accepts" in response.text,
            f"A hold with a {size // 1024} KB file part answered {response.status_code} "
            f"{response.text[:200]!r}, not {by}'s 413.",
        )
        expect(
            response.headers.get("Content-Type", "").startswith("application/json"),
            f"{by}'s 413 is not JSON.",
        )
    passed("a hold with a 100 KB file part: the portal's 413; with 20 MB: nginx's 413 (JSON)")


RESET_TRIES = 15


def reset_request(site, address):
    """One password reset request, as a browser makes it; its time in milliseconds."""
    with requests.Session() as session:
        page = session.get(f"{site}/accounts/password-reset/", timeout=TIMEOUT)
        token = CSRF.search(page.text).group(1)
        started = time.perf_counter()
        response = session.post(
            f"{site}/accounts/password-reset/",
            {"email": address, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        elapsed = (time.perf_counter() - started) * 1000
    expect(
        response.status_code == 302,
        f"A reset request for {address} answered {response.status_code}, not 302.",
    )
    return elapsed


def check_reset_takes_the_same_time(site, mail_log):
    """Known and unknown addresses alike: the request only queues the address; the
    worker sends the mail, which reaches the mail server."""
    known, unknown = [], []
    for _ in range(RESET_TRIES):
        known.append(reset_request(site, EMAIL))
        unknown.append(reset_request(site, f"nobody-{uuid.uuid4().hex[:8]}@{DOMAIN}"))
    known_ms, unknown_ms = statistics.median(known), statistics.median(unknown)
    expect(
        abs(known_ms - unknown_ms) <= max(5.0, 0.5 * min(known_ms, unknown_ms)),
        f"A reset request takes {known_ms:.1f} ms for a known address and "
        f"{unknown_ms:.1f} ms for an unknown one.",
    )
    passed(
        f"password reset request: {known_ms:.1f} ms for a known address, {unknown_ms:.1f} ms "
        f"for an unknown one (medians of {RESET_TRIES})"
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        sent = mail_log.read_text(errors="replace") if mail_log.exists() else ""
        if f"To: {EMAIL}" in sent and "choose a new password" in sent:
            passed("the task worker sent the reset e-mail to the mail server")
            return
        time.sleep(0.5)
    raise SmokeFailure(f"No reset e-mail for {EMAIL} reached the mail server in 15 s.")


def check_not_found(session, site):
    path = f"/no-such-page-{uuid.uuid4().hex}/"
    response = session.get(f"{site}{path}", timeout=TIMEOUT)
    expect(response.status_code == 404, f"{path} answered {response.status_code}, not 404.")
    expect(
        "URLconf" not in response.text and "Traceback" not in response.text,
        f"{path} shows Django's debug page: DEBUG is on.",
    )
    passed("unknown URL: 404 without the debug page")


def main(site, mail_log):
    check_health(site)
    with requests.Session() as session:
        today = log_in(session, site)
        check_security_headers(today)
        check_hold_saved_once(session, site, today)
        check_bodies_are_capped(session, site, today)
        check_static_file(session, site, today)
        check_not_found(session, site)
    check_reset_takes_the_same_time(site, mail_log)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(f"usage: {sys.argv[0]} http://127.0.0.1:8030 .bench/mail.log")
    try:
        main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))
    except (SmokeFailure, requests.RequestException, ValueError) as failure:
        sys.exit(f"smoke test FAILED: {failure}")
