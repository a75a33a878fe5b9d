import pytest
from playwright.sync_api import expect

from exercises.models import Exercise
from portal import roles
from tests.e2e.pages import WIDTHS, log_in
from tests.factories import make_exercise, make_level, make_user

# The live server needs real transactions, so each test starts from a flushed database and
# builds what it shows. (serialized_rollback cannot help: the database connection that
# Playwright's event loop sees is not the one that holds the serialized contents.)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def patient():
    return make_user("pat@example.com", role=roles.PATIENTS, first_name="Pat")


@pytest.fixture(autouse=True)
def psoas_program():
    # The first browser test still sees the migrations' content; later ones see none.
    Exercise.objects.all().delete()
    psoas = make_exercise(name="Psoas stretch", slug="psoas-stretch")
    steps = ["Lie on your back.", "Draw one knee in.", "Relax the other leg.", "Breathe."]
    make_level(psoas, 1, title="Lying psoas stretch", steps=steps)
    make_level(psoas, 2, title="Edge-of-bed psoas stretch", steps=[*steps, "Let it hang."])


def test_a_patient_logs_in_and_reads_level_two(page, live_server, patient):
    log_in(page, live_server, patient.email)
    expect(page.get_by_role("heading", name="Stretch library")).to_be_visible()

    page.get_by_role("link", name="Level 2: Edge-of-bed psoas stretch").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Edge-of-bed psoas stretch")
    expect(page.get_by_text("Hold 30–60 seconds, on each side")).to_be_visible()
    expect(page.locator("ol.step-list > li")).to_have_count(5)
    expect(page.get_by_role("link", name="Level 1: Lying psoas stretch")).to_be_visible()


def test_the_level_page_fits_a_phone_screen(page, live_server, patient):
    page.set_viewport_size(WIDTHS["phone"])
    log_in(page, live_server, patient.email)
    page.goto(f"{live_server.url}/exercises/psoas-stretch/level-1/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Lying psoas stretch")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    # The menu folds away behind a toggle on a phone and opens with it.
    menu = page.get_by_role("button", name="Show the menu")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
