"""A patient's first visit, done in a browser as the clinic does it, with every click and
every field counted: the clinician enrols a new patient with a two-stretch program from a
template, the patient accepts the invitation and does a hold, then the clinician changes
a dose and moves a level past the warning the patient's pain raises."""

import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from exercises.models import Exercise
from patients.models import HoldLog, Patient, Prescription
from portal import roles
from tests.e2e.pages import GET_READY, log_in
from tests.factories import make_exercise, make_level, make_template

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "slow stretches on a quiet morning"
MOST_TO_ENROL = 8
MOST_TO_CHANGE_A_DOSE = 3


class Counted:
    """The clinician's hands: every click, every field filled and every choice made is
    one interaction."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, text):
        self.count += 1
        locator.fill(text)

    def choose(self, locator, label):
        self.count += 1
        locator.select_option(label=label)


@pytest.fixture
def low_back_template(carol):
    # Browser tests run on a database flushed of what migrations installed, the roles too.
    Group.objects.get_or_create(name=roles.PATIENTS)
    Exercise.objects.all().delete()
    psoas = make_exercise(name="Psoas stretch", slug="psoas-stretch")
    first = make_level(psoas, 1, title="Lying psoas stretch", hold_min_seconds=30)
    make_level(psoas, 2, title="Edge-of-bed psoas stretch", hold_min_seconds=30)
    calf = make_level(make_exercise(name="Calf stretch", slug="calf"), 1, title="Wall calf stretch")
    return make_template(first, calf, by=carol, name="Low back, first weeks")


def test_the_first_visit(page, browser, live_server, low_back_template, mailoutbox):
    hands = Counted(page)
    log_in(page, live_server, "carol@example.com")
    expect(page.get_by_role("heading", name="Adherence report")).to_be_visible()

    hands.click(page.get_by_role("link", name="Enrol a patient"))
    hands.fill(page.get_by_label("First name"), "Nina")
    hands.fill(page.get_by_label("Last name"), "Novak")
    hands.fill(page.get_by_label("E-mail address"), "nina@example.com")
    hands.choose(page.get_by_label("Start from a template"), "Low back, first weeks")
    hands.click(page.get_by_role("button", name="Enrol and send the invitation"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Nina Novak")
    assert hands.count <= MOST_TO_ENROL, hands.count
    nina = Patient.objects.get(user__email="nina@example.com")
    assert {rx.level.exercise.name for rx in nina.prescriptions.all()} == {
        "Psoas stretch",
        "Calf stretch",
    }
    expect(page.get_by_text("Account not set up")).to_be_visible()

    # Nina, on her own phone.
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    patient = phone.new_page()
    patient.clock.install()
    link = re.search(r"https?://\S+/accounts/welcome/\S+", mailoutbox[-1].body).group(0)
    patient.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    patient.locator("#id_new_password1").fill(NEW_PASSWORD)
    patient.locator("#id_new_password2").fill(NEW_PASSWORD)
    patient.get_by_role("button", name="Save my password").click()
    expect(patient.get_by_role("heading", name="Hello Nina")).to_be_visible()
    psoas = Prescription.objects.get(patient=nina, level__exercise__name="Psoas stretch")
    patient.goto(f"{live_server.url}/program/{psoas.pk}/")
    patient.get_by_role("button", name="Start").click()
    patient.clock.run_for((GET_READY + psoas.target_seconds + 1) * 1000)
    expect(patient.locator("#timer-log li").first).to_contain_text("saved")
    assert HoldLog.objects.filter(prescription=psoas).count() == 1
    patient.goto(f"{live_server.url}/today/")
    check_in = patient.get_by_role("region", name="Today's pain check-in")
    check_in.get_by_label("9", exact=True).check()
    check_in.get_by_role("button", name="Save pain score").click()
    expect(patient.get_by_text("Please contact your clinic")).to_be_visible()
    phone.close()

    # Back to the clinician: a new dose in at most three interactions.
    page.reload()
    hands.count = 0
    hands.click(page.get_by_role("link", name="Change Psoas stretch"))
    hands.fill(page.get_by_label("Holds per side"), "3")
    hands.click(page.get_by_role("button", name="Save the change"))
    expect(page.get_by_text("at the new dose")).to_be_visible()
    assert hands.count <= MOST_TO_CHANGE_A_DOSE, hands.count
    current = Prescription.objects.get(patient=nina, exercise=psoas.exercise, end_date__isnull=True)
    assert current.holds_per_side == 3
    assert current.start_date == timezone.localdate()

    # Moving up a level: the severe score must be read first.
    page.get_by_role("link", name="Move to Level 2").click()
    expect(page.get_by_text("Read before changing the level")).to_be_visible()
    expect(page.get_by_text("Severe pain")).to_be_visible()
    page.get_by_label(re.compile("I have read the flags above")).check()
    page.get_by_role("button", name="Move to Level 2").click()
    expect(page.get_by_text("now does Level 2")).to_be_visible()
    moved = Prescription.objects.get(patient=nina, exercise=psoas.exercise, end_date__isnull=True)
    assert (moved.level.number, moved.holds_per_side) == (2, 3)
