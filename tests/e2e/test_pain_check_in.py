"""The pain check-in in a browser: big targets with words at 0, 5 and 10, usable from
the keyboard, and on the Today page kept on the phone when the connection is gone; a
severe score brings the clinic's number up at once."""

import pytest
from playwright.sync_api import expect

from patients.models import PainScore
from tests.e2e.pages import WIDTHS, log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def check_in(page, live_server, clinic):
    page.set_viewport_size(WIDTHS["phone"])
    log_in(page, live_server, "alice@example.com")
    page.goto(f"{live_server.url}/today/")
    return page.get_by_role("region", name="Today's pain check-in")


def test_each_choice_is_a_thumb_sized_target_and_the_scale_has_words(check_in):
    choices = check_in.locator("label.pain-choice")
    expect(choices).to_have_count(11)
    for index in range(11):
        box = choices.nth(index).bounding_box()
        assert box["width"] >= 44, index
        assert box["height"] >= 44, index
    expect(check_in.get_by_label("0 no pain")).to_be_attached()
    expect(check_in.get_by_label("5 moderate")).to_be_attached()
    expect(check_in.get_by_label("10 worst imaginable")).to_be_attached()


def test_a_score_is_given_with_the_keyboard_alone(page, check_in, clinic):
    check_in.get_by_label("0 no pain").focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(check_in.get_by_label("3", exact=True)).to_be_checked()
    check_in.get_by_role("button", name="Save pain score").focus()
    page.keyboard.press("Enter")
    # Today is shown again, as the portal now draws it, with what was saved.
    expect(page.locator("#main > .alert-success")).to_have_text("Saved: pain 3 out of 10.")
    expect(check_in).to_have_count(0)
    assert PainScore.objects.filter(patient=clinic["patient"]).latest("recorded_at").score == 3


def test_a_check_in_given_offline_is_sent_once_the_connection_returns(
    page, context, check_in, clinic
):
    before = PainScore.objects.count()
    context.set_offline(True)
    check_in.get_by_label("4", exact=True).check()
    check_in.get_by_role("button", name="Save pain score").click()
    expect(check_in.locator(".pain-status")).to_contain_text("Kept on this device")
    assert PainScore.objects.count() == before

    context.set_offline(False)
    expect(page.locator("#main > .alert-success")).to_have_text("Saved: pain 4 out of 10.")
    latest = PainScore.objects.filter(patient=clinic["patient"]).latest("recorded_at")
    assert (latest.score, latest.context) == (4, PainScore.Context.CHECK_IN)
    assert PainScore.objects.count() == before + 1


def test_a_severe_score_shows_the_clinics_number_at_once(page, check_in):
    check_in.get_by_label("8", exact=True).check()
    check_in.get_by_role("button", name="Save pain score").click()
    expect(page.get_by_role("heading", name="Please contact your clinic")).to_be_visible()
