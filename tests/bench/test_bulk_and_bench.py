"""The synthetic clinic and the benchmark, on a small scale."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from patients.models import HoldLog, PainScore, Patient, Prescription
from portal.models import User
from tests.factories import make_hold, misjudged_holds

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def seed(**options):
    out = io.StringIO()
    call_command("seed_bulk", stdout=out, **({"patients": 6, "days": 5, "clinicians": 2} | options))
    return out.getvalue()


def test_it_builds_a_varied_clinic(debug_on):
    output = seed()
    assert Patient.objects.count() == 6
    assert Prescription.objects.count() == 6
    assert User.objects.filter(email__startswith="clinician").count() == 2
    assert set(Patient.objects.values_list("clinician__email", flat=True)) == {
        "clinician0@bulk.example",
        "clinician1@bulk.example",
    }
    assert HoldLog.objects.exists()
    assert HoldLog.objects.filter(qualifying=False).exists()  # some holds cut short
    assert not misjudged_holds().exists()
    assert PainScore.objects.exists()
    assert "Seeded 6 patients of 2 clinicians over 5 days" in output


def test_it_refuses_a_database_that_already_has_one(debug_on):
    seed()
    with pytest.raises(CommandError, match="already has a synthetic clinic"):
        seed()


def test_it_refuses_to_run_with_debug_off_unless_told(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--not-a-clinic"):
        seed()
    assert not Patient.objects.exists()
    seed(not_a_clinic=True)
    assert Patient.objects.count() == 6


def test_it_refuses_nonsense_sizes(debug_on):
    with pytest.raises(CommandError, match="at least 1"):
        seed(patients=0)


def test_the_benchmark_prints_its_table_and_compares_two_runs(debug_on, tmp_path):
    seed()
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    out = io.StringIO()
    history = HoldLog.objects.count(), PainScore.objects.count()
    call_command("bench", runs=5, json_path=str(first), stdout=out)
    # What it wrote while timing is gone again.
    assert (HoldLog.objects.count(), PainScore.objects.count()) == history
    table = out.getvalue()
    for request in (
        "bare Django view",
        "empty page, portal layout",
        "patient today page",
        "hold log POST",
        "pain POST",
        "history page",
        "clinician report (3 patients)",
        "clinician patient detail",
        "CSV export (6 patients)",
    ):
        assert request in table
    (figures,) = json.loads(first.read_text())
    assert all(result["median_ms"] > 0 and result["queries"] >= 0 for result in figures)
    second.write_text(first.read_text())
    out = io.StringIO()
    call_command("bench", compare=[str(first), str(second)], stdout=out)
    assert "+0%" in out.getvalue()
    assert "Runs: 1 of" in out.getvalue()


def test_runs_add_up_in_a_file_and_compare_by_their_medians(tmp_path):
    def run(bare, today):
        return [
            {"request": "bare Django view", "median_ms": bare, "x_bare": 1.0, "queries": 1},
            {
                "request": "patient today page",
                "median_ms": today,
                "x_bare": today / bare,
                "queries": 4,
            },
        ]

    smaller, larger = tmp_path / "30.json", tmp_path / "90.json"
    # The second run of each was taken while the machine was twice as slow.
    smaller.write_text(json.dumps([run(1.0, 4.0), run(2.0, 8.0), run(1.0, 4.0)]))
    larger.write_text(json.dumps([run(1.0, 4.4), run(2.0, 8.8), run(1.0, 4.4)]))
    out = io.StringIO()
    call_command("bench", compare=[str(smaller), str(larger)], stdout=out)
    today = next(line for line in out.getvalue().splitlines() if line.startswith("patient today"))
    assert today.split()[3:9] == ["4.0", "4.4", "+10%", "4.0", "4.4", "+10%"]


def test_a_file_that_holds_no_runs_is_refused(tmp_path):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"request": "bare Django view"}))
    with pytest.raises(CommandError, match="holds no runs"):
        call_command("bench", compare=[str(path), str(path)], stdout=io.StringIO())


def test_the_benchmark_needs_a_synthetic_clinic(debug_on):
    with pytest.raises(CommandError, match="run manage.py seed_bulk first"):
        call_command("bench", runs=5, stdout=io.StringIO())


class TestLoadTestCheck:
    def run(self, tmp_path, tokens, after_id=0):
        path = tmp_path / "tokens.txt"
        path.write_text("\n".join(tokens))
        out = io.StringIO()
        call_command("loadtest_check", tokens=str(path), after_id=after_id, stdout=out)
        return out.getvalue()

    def test_it_passes_when_every_acknowledged_hold_is_stored_once(self, tmp_path, alice_rx):
        holds = [make_hold(alice_rx, at=timezone.now()) for _ in range(3)]
        output = self.run(tmp_path, [str(hold.client_token) for hold in holds])
        assert "3 holds acknowledged, 3 stored; 0 missing" in output

    def test_it_fails_on_a_missing_hold(self, tmp_path, alice_rx):
        hold = make_hold(alice_rx, at=timezone.now())
        with pytest.raises(CommandError, match="lost, doubled or invented"):
            self.run(tmp_path, [str(hold.client_token), "00000000-0000-0000-0000-000000000001"])

    def test_it_fails_on_a_hold_nobody_acknowledged(self, tmp_path, alice_rx):
        first = make_hold(alice_rx, at=timezone.now())
        make_hold(alice_rx, at=timezone.now())
        with pytest.raises(CommandError):
            self.run(tmp_path, [str(first.client_token)])

    def test_it_only_looks_at_holds_after_the_mark(self, tmp_path, alice_rx):
        before = make_hold(alice_rx, at=timezone.now())
        during = make_hold(alice_rx, at=timezone.now())
        output = self.run(tmp_path, [str(during.client_token)], after_id=before.pk)
        assert "1 holds acknowledged, 1 stored" in output
