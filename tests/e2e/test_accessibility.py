"""Every page a patient or clinician sees passes axe-core without serious or critical
violations, at a phone's width and at a desktop's."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.test import RequestFactory
from django.views.defaults import server_error
from playwright.sync_api import expect

from tests.e2e.pages import WIDTHS, log_in
from tests.factories import make_exercise, make_level, make_passkey, make_template

pytestmark = pytest.mark.django_db(transaction=True)

axe = Axe()


def serious(page):
    results = axe.run(page)
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def check_pages(page, live_server, paths):
    problems = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        found = serious(page)
        if found:
            problems[path] = found
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_public_and_error_pages(page, live_server, clinic, passkeys_at_the_live_server, width):
    page.set_viewport_size(WIDTHS[width])
    assert check_pages(page, live_server, ["/accounts/login/", "/accounts/password-reset/"]) == {}
    log_in(page, live_server, "alice@example.com")
    assert check_pages(page, live_server, ["/no-such-page/"]) == {}
    # Bootstrap's buttons fade their colours in when the stylesheets arrive after the
    # content, as they may with set_content; axe must judge the colours, not the fade.
    page.emulate_media(reduced_motion="reduce")
    page.set_content(server_error(RequestFactory().get("/")).content.decode())
    assert serious(page) == []


@pytest.mark.parametrize("width", WIDTHS)
def test_patient_pages(page, live_server, clinic, passkeys_at_the_live_server, width):
    page.set_viewport_size(WIDTHS[width])
    log_in(page, live_server, "alice@example.com")
    passkey = make_passkey(clinic["patient"].user)
    paths = [
        "/today/",
        "/today/?session=done",
        f"/program/{clinic['prescription'].pk}/?session=on",
        f"/program/{clinic['prescription'].pk}/",
        "/history/",
        "/exercises/",
        "/exercises/psoas-stretch/",
        "/exercises/psoas-stretch/level-1/",
        "/settings/",
        "/program/print/",
        "/accounts/confirm/",
        "/accounts/passkeys/",
        f"/accounts/passkeys/{passkey.pk}/rename/",
        f"/accounts/passkeys/{passkey.pk}/remove/",
    ]
    assert check_pages(page, live_server, paths) == {}


@pytest.mark.parametrize("width", WIDTHS)
def test_clinician_pages(page, live_server, clinic, passkeys_at_the_live_server, width, settings):
    # The patient record with every section a clinic may have, remote monitoring included.
    settings.PORTAL_REMOTE_MONITORING = True
    page.set_viewport_size(WIDTHS[width])
    log_in(page, live_server, "carol@example.com")
    patient, prescription = clinic["patient"], clinic["prescription"]
    template = make_template(prescription.level, by=patient.clinician)
    paths = [
        "/clinic/",
        f"/clinic/patients/{patient.pk}/",
        f"/clinic/patients/{patient.pk}/prescriptions/{prescription.pk}/progress/",
        "/accounts/two-factor/setup/",
        "/accounts/passkeys/",
        "/clinic/patients/new/",
        f"/clinic/patients/{patient.pk}/program/add/",
        f"/clinic/patients/{patient.pk}/prescriptions/{prescription.pk}/change/",
        f"/clinic/patients/{patient.pk}/prescriptions/{prescription.pk}/end/",
        f"/clinic/patients/{patient.pk}/program/template/",
        "/clinic/templates/",
        f"/clinic/templates/{template.pk}/",
        f"/clinic/templates/{template.pk}/delete/",
    ]
    assert check_pages(page, live_server, paths) == {}
    # A preview answers a POST: the builder's, with a stretch the patient does not do yet.
    calf = make_level(make_exercise(name="Calf stretch", slug="calf"), 1)
    page.goto(f"{live_server.url}/clinic/patients/{patient.pk}/program/add/")
    row = page.get_by_role("group", name="Stretch 1")
    row.get_by_label("Stretch and level").select_option(str(calf.pk))
    page.get_by_role("button", name="Preview as the patient sees it").click()
    expect(page.get_by_role("heading", name="will see")).to_be_visible()
    assert serious(page) == []


def test_text_at_twice_the_size_fits_a_phone(page, live_server, clinic):
    page.set_viewport_size(WIDTHS["phone"])
    log_in(page, live_server, "alice@example.com")
    for path in [
        "/today/",
        f"/program/{clinic['prescription'].pk}/",
        "/history/",
        "/exercises/psoas-stretch/level-1/",
        "/settings/",
    ]:
        page.goto(f"{live_server.url}{path}")
        # Through the CSS object model: the portal's CSP (rightly) refuses a <style> tag.
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
