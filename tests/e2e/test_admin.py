"""The admin works under the portal's Content-Security-Policy (nothing inline)."""

import pytest
from playwright.sync_api import expect

from exercises.models import Exercise
from tests.e2e.pages import log_in
from tests.factories import make_exercise, make_level, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_administrator_adds_a_step_with_the_admins_scripts(page, live_server):
    Exercise.objects.all().delete()
    level = make_level(make_exercise(name="Psoas stretch"), 1, steps=["Lie down."])
    make_user("ada@example.com", superuser=True)
    blocked = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    log_in(page, live_server, "ada@example.com")
    page.goto(f"{live_server.url}/admin/exercises/level/{level.pk}/change/")
    page.get_by_role("button", name="Add another Step").click()
    row = page.locator("tr.dynamic-steps").last
    row.locator("input[name$='-order']").fill("2")
    row.locator("textarea[name$='-text']").fill("Breathe out slowly.")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert list(level.steps.values_list("text", flat=True)) == ["Lie down.", "Breathe out slowly."]
    assert blocked == []
