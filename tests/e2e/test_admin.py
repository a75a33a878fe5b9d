"""The admin works under the portal's Content-Security-Policy (nothing inline), and a
content editor uploads a picture from the computer in it."""

from importlib import import_module

import pytest
from django.apps import apps
from PIL import Image
from playwright.sync_api import expect

from exercises.models import Exercise, LevelImage
from portal import roles
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


def test_an_editor_adds_a_picture_to_a_level(page, live_server, tmp_path, media_root):
    Exercise.objects.all().delete()
    level = make_level(make_exercise(name="Calf stretch"), 1, steps=["Face a wall."])
    # The roles' permissions, as the migrations give them (the database was flushed).
    import_module("portal.migrations.0002_roles").create_roles(apps, None)
    import_module("exercises.migrations.0008_editors_manage_media").grant(apps, None)
    make_user("erin@example.com", role=roles.CONTENT_EDITORS)
    photo = tmp_path / "wall.jpg"
    Image.new("RGB", (1400, 900), "#0a4fae").save(photo, format="JPEG")

    log_in(page, live_server, "erin@example.com")
    page.goto(f"{live_server.url}/admin/exercises/level/{level.pk}/change/")
    page.get_by_role("button", name="Add another Picture").click()
    row = page.locator("tr.dynamic-images").last
    row.locator("input[type=file]").set_input_files(photo)
    row.locator("input[name$='-alt_text']").fill("Facing a wall, one foot stepped back.")
    page.get_by_role("button", name="Save and continue editing").click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    image = LevelImage.objects.get(level=level)
    assert image.alt_text == "Facing a wall, one foot stepped back."
    assert [rendition["width"] for rendition in image.renditions] == [480, 960, 1400]
    assert all((media_root / rendition["name"]).exists() for rendition in image.renditions)
    # The row now shows the picture it keeps.
    expect(
        page.locator("tr.has_original img[alt='Facing a wall, one foot stepped back.']")
    ).to_have_count(1)
