"""What many browser tests do the same way."""

from playwright.sync_api import expect

from tests.factories import PASSWORD

WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}

# The timer's phases, in seconds, for the `prescription` fixture's holds of TARGET.
GET_READY, SWITCH, REST, TARGET = 5, 5, 15, 30


def log_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def open_timer(page, live_server, prescription):
    page.clock.install()
    log_in(page, live_server, prescription.patient.user.email)
    page.goto(f"{live_server.url}/program/{prescription.pk}/")
    expect(page.get_by_role("heading", name="Guided timer")).to_be_visible()


def leave_one_hold_waiting(page, context, live_server, prescription):
    """Do one hold offline, then close its page while still offline: the entry is only
    in the phone's outbox. The connection comes back; no page is open."""
    open_timer(page, live_server, prescription)
    context.set_offline(True)
    page.get_by_role("button", name="Start").click()
    page.clock.run_for((GET_READY + TARGET + 1) * 1000)
    expect(page.locator("#main [data-outbox-status]")).to_contain_text("1 entry is waiting")
    page.close()


def look_away(page):
    """What the page sees when the screen locks for a while, or another app is opened:
    it is hidden, then shown again."""
    page.evaluate(
        """() => {
        const seen = state => Object.defineProperty(
            document, "visibilityState", { value: state, configurable: true });
        seen("hidden");
        document.dispatchEvent(new Event("visibilitychange"));
        seen("visible");
        document.dispatchEvent(new Event("visibilitychange"));
    }"""
    )
