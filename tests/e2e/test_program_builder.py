"""The program builder's stretch lists in a browser: a search box narrows each list to
the stretches whose name or body region matches, and a chosen level shows its picture
and its defaults in the row's dose fields."""

import pytest
from playwright.sync_api import expect

from exercises.models import Exercise, LevelImage
from tests.e2e.pages import log_in
from tests.factories import make_exercise, make_level

pytestmark = pytest.mark.django_db(transaction=True)


def test_searching_narrows_the_list_by_name_or_region(page, live_server, carol):
    Exercise.objects.all().delete()
    make_level(make_exercise(name="Psoas stretch", slug="psoas", body_region="low_back"), 1)
    make_level(make_exercise(name="Calf stretch", slug="calf", body_region="ankle_foot"), 1)
    log_in(page, live_server, "carol@example.com")
    page.goto(f"{live_server.url}/clinic/patients/new/")
    search = page.get_by_label("Search the stretches by name or body region").first
    choose = page.get_by_label("Stretch and level").first
    search.fill("calf")
    visible = choose.evaluate(
        "select => [...select.options].filter(o => !o.hidden && o.value).map(o => o.text)"
    )
    assert len(visible) == 1
    assert "Stage 1" in visible[0]
    search.fill("low back")
    groups = choose.evaluate(
        "select => [...select.querySelectorAll('optgroup')]"
        ".filter(group => !group.hidden).map(group => group.label)"
    )
    assert groups == ["Psoas stretch (low back)"]
    search.fill("")
    expect(choose.locator("optgroup")).to_have_count(2)


def test_a_chosen_level_shows_its_defaults_in_its_row(page, live_server, carol):
    Exercise.objects.all().delete()
    calf = make_level(
        make_exercise(name="Calf stretch", slug="calf"),
        1,
        hold_min_seconds=20,
        hold_max_seconds=40,
        get_ready_seconds=8,
        rest_seconds=25,
    )
    LevelImage.objects.create(
        level=calf,
        illustration="illustrations/psoas-level-1.svg",
        alt_text="Facing a wall, one foot back.",
        width=400,
        height=260,
    )
    log_in(page, live_server, "carol@example.com")
    page.goto(f"{live_server.url}/clinic/patients/new/")
    first = page.get_by_role("group", name="Stretch 1")
    first.get_by_label("Stretch and level").select_option(str(calf.pk))
    expect(first.get_by_role("img", name="Facing a wall, one foot back.")).to_be_visible()
    expect(first.get_by_label("Hold (seconds)")).to_have_attribute("placeholder", "20")
    expect(first.get_by_label("Hold (seconds)")).to_have_attribute("max", "40")
    expect(first.get_by_label("Get ready (seconds)")).to_have_attribute("placeholder", "8")
    expect(first.get_by_label("Rest (seconds)")).to_have_attribute("placeholder", "25")
    second = page.get_by_role("group", name="Stretch 2")
    expect(second.get_by_label("Rest (seconds)")).to_have_attribute("placeholder", "")
