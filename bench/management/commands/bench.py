"""Time the portal's key requests through the whole Django stack, middleware included.

    manage.py seed_bulk --patients 2000 --days 90 --clinicians 10
    manage.py bench --json bench-90.json
    manage.py bench --compare bench-30.json bench-90.json

Each request runs in this process through Django's test client (no network), after a
few warm-up runs, and the runs are interleaved (one of each request per round). The
table gives the median and 95th percentile in milliseconds, the number of queries, and
the ratio of the median to a bare Django view timed in the same rounds; an empty page in
the portal's layout shows the floor of any page a person sees. It writes to the
database (holds and pain scores of one synthetic patient, taken out again when it ends),
so run it on a benchmark database, never a clinic's.

A machine whose speed drifts from one minute to the next makes two runs minutes apart
hard to compare, so --json adds each run to its file, and --compare takes each request's
median over the runs of each file: `make bench` alternates the two clinics a few times.
"""

import json
import statistics
import time
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from bench.management.commands.seed_bulk import DOMAIN
from patients.models import HoldLog, PainScore, Patient
from portal.memory import freeze_loaded_objects
from portal.models import User

WARM_UP = 3


class Command(BaseCommand):
    help = "Time the key requests on a synthetic clinic (see seed_bulk)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument(
            "--json", dest="json_path", help="Also add this run's figures to this file."
        )
        parser.add_argument(
            "--compare", nargs=2, metavar=("SMALLER", "LARGER"), help="Compare two --json files."
        )

    def handle(self, *args, runs, json_path, compare, **options):
        if compare:
            self.compare(*compare)
            return
        if runs < 5:
            raise CommandError("--runs must be at least 5 for a 95th percentile to mean much.")
        with override_settings(
            ROOT_URLCONF="bench.urls",
            ALLOWED_HOSTS=["testserver"],
            PORTAL_STAFF_2FA=False,
            AXES_ENABLED=False,
        ):
            results = self.measure(runs)
        self.table(results)
        if json_path:
            path = Path(json_path)
            earlier = json_load(path) if path.exists() else []
            path.write_text(_dump([*earlier, results]))
            self.stdout.write(f"Figures added to {json_path} (run {len(earlier) + 1}).")

    def measure(self, runs):
        patient = Patient.objects.filter(user__email__endswith=f"@{DOMAIN}").order_by("pk").first()
        if patient is None:
            raise CommandError("No synthetic clinic here: run manage.py seed_bulk first.")
        clinician = patient.clinician
        prescription = patient.prescriptions.filter(end_date__isnull=True).first()
        admin, _ = User.objects.get_or_create(
            email=f"bench-admin@{DOMAIN}", defaults={"is_staff": True, "is_superuser": True}
        )
        patient_client, clinician_client, admin_client = Client(), Client(), Client()
        patient_client.force_login(patient.user)
        clinician_client.force_login(clinician)
        admin_client.force_login(admin)
        # Where a server's worker stands once it has loaded the application (portal/wsgi.py).
        freeze_loaded_objects()
        log_hold = reverse("patients:log-hold", args=[prescription.pk])
        # What the timing writes is taken out again at the end, so that the next run (or
        # the other clinic's) starts from the same history.
        written = {HoldLog: [], PainScore: []}

        def hold():
            token = uuid.uuid4()
            written[HoldLog].append(token)
            data = {"side": "left", "seconds": "30", "client_token": str(token)}
            return patient_client.post(log_hold, data, HTTP_ACCEPT="application/json", secure=True)

        def pain():
            token = uuid.uuid4()
            written[PainScore].append(token)
            data = {"score": "3", "context": "checkin", "client_token": str(token)}
            return patient_client.post(
                reverse("patients:log-pain"), data, HTTP_ACCEPT="application/json", secure=True
            )

        def get(client, url):
            return lambda: client.get(url, secure=True)

        visible = Patient.objects.filter(clinician=clinician).count()
        everyone = Patient.objects.count()
        requests = [
            ("bare Django view", get(patient_client, reverse("bench-bare")), runs),
            ("empty page, portal layout", get(patient_client, reverse("bench-empty-page")), runs),
            ("patient today page", get(patient_client, reverse("patients:today")), runs),
            ("hold log POST", hold, runs),
            ("pain POST", pain, runs),
            ("history page", get(patient_client, reverse("patients:history")), runs),
            (
                f"clinician report ({visible} patients)",
                get(clinician_client, reverse("patients:report")),
                runs,
            ),
            (
                "clinician patient detail",
                get(clinician_client, reverse("patients:patient-detail", args=[patient.pk])),
                runs,
            ),
            (
                f"CSV export ({everyone} patients)",
                get(admin_client, reverse("patients:report-csv")),
                max(5, runs // 6),
            ),
        ]
        queries = {}
        for name, call, _ in requests:
            for _ in range(WARM_UP):
                _check(name, call())
            counter = QueryCounter()
            with connection.execute_wrapper(counter):
                _check(name, call())
            queries[name] = counter.count
        # Round by round, each request once per round: a slow moment of a busy machine
        # then falls on every request alike, and the ratios to the bare view stay fair.
        timings = {name: [] for name, _, _ in requests}
        for round_number in range(runs):
            for name, call, count in requests:
                if round_number < count:
                    timings[name].append(_timed(name, call))
        results = [
            {
                "request": name,
                "median_ms": statistics.median(timings[name]),
                "p95_ms": _percentile(timings[name], 95),
                "queries": queries[name],
                "runs": count,
            }
            for name, _, count in requests
        ]
        bare = results[0]["median_ms"]
        for result in results:
            result["x_bare"] = result["median_ms"] / bare
        for model, tokens in written.items():
            model.objects.filter(patient=patient, client_token__in=tokens).delete()
        holds = HoldLog.objects.filter(patient=patient).count()
        self.stdout.write(
            f"Data: {everyone} patients, {HoldLog.objects.count()} holds in all "
            f"({holds} for the timed patient)."
        )
        return results

    def table(self, results):
        self.stdout.write(
            f"{'request':<36} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {'x bare':>7}"
        )
        for result in results:
            self.stdout.write(
                f"{result['request']:<36} {result['median_ms']:>10.1f} {result['p95_ms']:>9.1f} "
                f"{result['queries']:>8} {result['x_bare']:>7.1f}"
            )

    def compare(self, smaller, larger):
        """How each request's median changes from one file's runs to the other's: as
        measured, and as a multiple of each run's bare view (which cancels a machine that
        is simply faster or slower at the time of one run). Each figure is the median
        over a file's runs."""
        smaller_runs, larger_runs = json_load(smaller), json_load(larger)
        self.stdout.write(
            f"Runs: {len(smaller_runs)} of {smaller}, {len(larger_runs)} of {larger}; "
            "each figure is the median over a file's runs."
        )
        before, after = _over_runs(smaller_runs), _over_runs(larger_runs)
        self.stdout.write(
            f"{'request':<28} {'median ms':>10} {'-> ms':>9} {'change':>8} "
            f"{'x bare':>7} {'-> x':>6} {'change':>8} {'queries':>10}"
        )
        for name, first in before.items():
            second = after.get(name)
            if second is None:
                continue
            change = _change(first["median_ms"], second["median_ms"])
            relative = _change(first["x_bare"], second["x_bare"])
            self.stdout.write(
                f"{name:<28} {first['median_ms']:>10.1f} {second['median_ms']:>9.1f} "
                f"{change:>+7.0f}% {first['x_bare']:>7.1f} {second['x_bare']:>6.1f} "
                f"{relative:>+7.0f}% {first['queries']:>4} -> {second['queries']:<4}"
            )


def _change(first, second):
    return (second - first) / first * 100


class QueryCounter:
    """Counts the queries a request makes (works whatever DEBUG is)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def _check(name, response):
    if response.status_code >= 400:
        raise CommandError(f"{name} answered {response.status_code}; the benchmark stops.")


def _timed(name, call):
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    _check(name, response)
    return elapsed


def _percentile(values, percent):
    ordered = sorted(values)
    index = min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))
    return ordered[index]


def _label(name):
    return name.split(" (")[0]


def _over_runs(runs):
    """Each request's median ms and x bare as medians over ``runs``, and the most
    queries it made in any of them."""
    rows = {}
    for run in runs:
        for result in run:
            rows.setdefault(_label(result["request"]), []).append(result)
    return {
        name: {
            "median_ms": statistics.median(result["median_ms"] for result in results),
            "x_bare": statistics.median(result["x_bare"] for result in results),
            "queries": max(result["queries"] for result in results),
        }
        for name, results in rows.items()
    }


def _dump(results):
    return json.dumps(results, indent=2)


def json_load(path):
    """The runs in a --json file: a list of runs, each a list of results."""
    try:
        runs = json.loads(Path(path).read_text())
    except (OSError, ValueError) as error:
        raise CommandError(f"Cannot read {path}: {error}") from None
    if not (isinstance(runs, list) and all(isinstance(run, list) for run in runs) and runs):
        raise CommandError(f"{path} holds no runs of manage.py bench.")
    return runs
