"""Everything works from the keyboard alone, with the focus always visible."""

import pytest
from playwright.sync_api import expect

from patients.models import PainScore
from tests.e2e.pages import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


FOCUS_OUTLINE = "getComputedStyle(document.activeElement).outlineStyle"


def tab_to(page, accessible_name, limit=40):
    """Press Tab until the focused element has this accessible name (or label text)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        name = page.evaluate(
            """(() => { const e = document.activeElement;
                 return (e.labels && e.labels[0] ? e.labels[0].innerText : '')
                        || e.getAttribute('aria-label') || e.value || e.innerText || ''; })()"""
        )
        if " ".join(name.split()) == accessible_name:
            return
    raise AssertionError(f"Tab never reached {accessible_name!r}")


def test_log_in_and_record_pain_with_the_keyboard_only(page, live_server, clinic):
    PainScore.objects.all().delete()  # so that the score saved below is the only one
    page.goto(f"{live_server.url}/accounts/login/")
    tab_to(page, "E-mail address*")
    page.keyboard.type("alice@example.com")
    assert page.evaluate(FOCUS_OUTLINE) != "none"
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Today's pain check-in")).to_be_visible()

    tab_to(page, "0 no pain")
    assert page.evaluate(FOCUS_OUTLINE) != "none"
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    tab_to(page, "Save pain score")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Saved: pain 4 out of 10.")).to_be_visible()
    assert PainScore.objects.get().score == 4


FORM_PAGES = {
    "alice@example.com": [
        "/today/",
        "/program/{prescription}/",
        "/settings/",
        "/accounts/password/",
    ],
    "carol@example.com": ["/clinic/"],
}

REACH_EVERY_CONTROL = """(() => {
    const selector = ['input:not([type=hidden])', 'select', 'textarea', 'button']
        .map(kind => '#main form ' + kind).join(', ');
    const controls = Array.from(document.querySelectorAll(selector))
        .filter(e => !e.disabled && e.offsetParent !== null);
    return controls.map(e => e.name || e.id || e.innerText);
})()"""


@pytest.mark.parametrize("email", FORM_PAGES)
def test_every_form_control_is_reached_by_tab_with_a_visible_focus(
    page, live_server, clinic, email
):
    log_in(page, live_server, email)
    for template in FORM_PAGES[email]:
        page.goto(live_server.url + template.format(prescription=clinic["prescription"].pk))
        wanted = set(page.evaluate(REACH_EVERY_CONTROL))
        assert wanted, template  # a page with no control found would prove nothing
        reached = set()
        for _ in range(120):
            page.keyboard.press("Tab")
            focused = page.evaluate(
                "(() => { const e = document.activeElement;"
                " return [e.name || e.id || e.innerText, getComputedStyle(e).outlineStyle]; })()"
            )
            if focused[0] in wanted:
                assert focused[1] != "none", (template, focused[0])
                reached.add(focused[0])
        assert reached == wanted, (template, wanted - reached)
