"""The timer guides a patient who is not looking: a sound, a vibration and a spoken cue
at each phase boundary, 3-2-1 beeps before each hold, a mute that is remembered, a
question instead of silent credit for time the page did not see, what comes next after
the set; and axe passes in every phase. On Playwright's clock, with the browser's audio,
vibration and speech calls recorded as they are made."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from patients.models import HoldLog
from tests.e2e.pages import GET_READY, REST, SWITCH, TARGET, look_away, open_timer
from tests.factories import make_exercise, make_level, make_prescription

pytestmark = pytest.mark.django_db(transaction=True)

RECORD_CUES = """
window.__cues = [];
navigator.vibrate = pattern => {
  window.__cues.push(["vibrate", JSON.stringify(pattern)]);
  return true;
};
if (window.speechSynthesis) {
  window.speechSynthesis.speak = utterance => window.__cues.push(["speak", utterance.text]);
  window.speechSynthesis.cancel = () => {};
}
const startTone = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...when) {
  window.__cues.push(["tone", this.frequency.value]);
  return startTone.apply(this, when);
};
"""


def cues_since(page, mark):
    cues = page.evaluate("window.__cues")
    return [tuple(cue) for cue in cues[mark:]]


def mark(page):
    return page.evaluate("window.__cues.length")


@pytest.fixture
def timer(page, live_server, prescription):
    page.add_init_script(RECORD_CUES)
    open_timer(page, live_server, prescription)
    return page


def test_each_boundary_has_its_own_sound_vibration_and_words(timer):
    page = timer
    voice = page.evaluate("'speechSynthesis' in window")
    page.get_by_role("button", name="Start").click()
    before = mark(page)
    page.clock.run_for((GET_READY - 1) * 1000 + 500)
    countdown = cues_since(page, before)
    assert countdown.count(("tone", 1000)) == 3
    assert countdown.count(("vibrate", "[60]")) == 3

    before = mark(page)
    page.clock.run_for(1000)
    expect(page.locator("#timer")).to_have_attribute("data-phase", "hold")
    hold = cues_since(page, before)
    assert ("tone", 660) in hold
    assert ("tone", 880) in hold
    assert ("vibrate", "[400]") in hold
    if voice:
        assert ("speak", f"Left side: hold for {TARGET} seconds") in hold

    before = mark(page)
    page.clock.run_for(TARGET * 1000)
    expect(page.locator("#timer")).to_have_attribute("data-phase", "switch")
    switch = cues_since(page, before)
    assert switch.count(("tone", 523)) == 3
    assert ("vibrate", "[120,80,120,80,120]") in switch
    if voice:
        assert ("speak", "Switch sides") in switch

    page.clock.run_for((SWITCH + TARGET) * 1000)
    expect(page.locator("#timer")).to_have_attribute("data-phase", "rest")
    before = mark(page)
    page.clock.run_for((REST + TARGET + SWITCH + TARGET) * 1000 + 1000)
    expect(page.locator("#timer")).to_have_attribute("data-phase", "done")
    done = cues_since(page, before)
    assert ("tone", 784) in done
    assert ("vibrate", "[200,100,200,100,500]") in done
    if voice:
        assert ("speak", "All done for today") in done


def test_the_phases_are_told_apart_by_word_colour_and_ring(timer):
    page = timer
    page.get_by_role("button", name="Start").click()
    card = page.locator("#timer")
    colours = {}
    for phase, seconds in [("ready", 0), ("hold", GET_READY), ("switch", TARGET)]:
        page.clock.run_for(seconds * 1000 + 200)
        expect(card).to_have_attribute("data-phase", phase)
        colours[phase] = card.evaluate("e => getComputedStyle(e).backgroundColor")
    assert len(set(colours.values())) == 3
    expect(page.locator("#timer-phase")).to_have_text("Switch")
    offset = float(page.locator("#timer-ring").get_attribute("stroke-dashoffset"))
    assert offset > 0


def test_muting_the_voice_is_remembered(timer):
    page = timer
    if not page.evaluate("'speechSynthesis' in window"):
        pytest.skip("this browser has no speech synthesis")
    page.get_by_role("button", name="Mute the voice").click()
    page.get_by_role("button", name="Start").click()
    before = mark(page)
    page.clock.run_for((GET_READY + 1) * 1000)
    assert not [cue for cue in cues_since(page, before) if cue[0] == "speak"]
    assert [cue for cue in cues_since(page, before) if cue[0] == "vibrate"]
    page.reload()
    expect(page.get_by_role("button", name="Turn the voice on")).to_be_visible()


def test_a_hold_the_page_did_not_see_through_is_asked_about(timer, prescription):
    page = timer
    page.get_by_role("button", name="Start").click()
    page.clock.run_for((GET_READY + 5) * 1000)
    look_away(page)  # the screen locked for a while during the first hold
    page.clock.run_for(TARGET * 1000 + SWITCH * 1000)
    question = page.get_by_role("alertdialog", name="Did you finish this hold?")
    expect(question).to_be_visible()
    expect(page.locator("#timer-clock")).to_have_text("?")
    assert not HoldLog.objects.filter(prescription=prescription).exists()
    # The timer waits for the answer: nothing more is credited meanwhile.
    page.clock.run_for(3 * TARGET * 1000)
    assert not HoldLog.objects.exists()

    question.get_by_role("button", name="No, leave it out").click()
    expect(page.locator("#timer-log li").first).to_have_text(
        "Left side, 30 s: left out, as you said"
    )
    expect(page.locator("#timer")).to_have_attribute("data-phase", "switch")
    page.clock.run_for((SWITCH + TARGET) * 1000 + 500)
    expect(page.locator("#timer-log li").nth(1)).to_have_text("Right side, 30 s: saved")
    assert HoldLog.objects.filter(prescription=prescription).count() == 1


def test_a_hold_confirmed_after_the_screen_was_off_is_saved(timer, prescription):
    page = timer
    page.get_by_role("button", name="Start").click()
    page.clock.run_for((GET_READY + 5) * 1000)
    look_away(page)
    page.clock.run_for(TARGET * 1000)
    page.get_by_role("button", name="Yes, save it").click()
    expect(page.locator("#timer-log li").first).to_have_text("Left side, 30 s: saved")
    assert HoldLog.objects.get(prescription=prescription).seconds == TARGET


def test_after_the_set_the_next_stretch_is_offered_instead_of_the_clock(
    page, live_server, prescription
):
    calf = make_level(make_exercise(name="Calf stretch", slug="calf"), 1)
    make_prescription(
        prescription.patient, calf, start_date=timezone.localdate() - timedelta(days=1)
    )
    open_timer(page, live_server, prescription)
    page.get_by_role("button", name="Start").click()
    page.clock.run_for((GET_READY + 4 * TARGET + 2 * SWITCH + REST + 1) * 1000)
    expect(page.locator("#timer-dial")).to_be_hidden()
    after = page.locator("#timer-after")
    expect(after).to_contain_text("Next: Calf stretch, Level 1")
    after.get_by_role("link", name="Go on to Calf stretch, Level 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stage 1")


def test_axe_passes_in_every_phase(timer):
    page = timer
    axe = Axe()

    def serious():
        found = axe.run(page).response["violations"]
        return [
            (v["id"], [node["target"] for node in v["nodes"]])
            for v in found
            if v["impact"] in ("serious", "critical")
        ]

    assert serious() == []
    page.get_by_role("button", name="Start").click()
    for phase, seconds in [
        ("ready", 0),
        ("hold", GET_READY),
        ("switch", TARGET),
        ("hold", SWITCH),
        ("rest", TARGET),
    ]:
        page.clock.run_for(seconds * 1000 + 200)
        expect(page.locator("#timer")).to_have_attribute("data-phase", phase)
        assert serious() == [], phase
    page.clock.run_for(REST * 1000)
    expect(page.locator("#timer")).to_have_attribute("data-phase", "hold")
    look_away(page)
    page.clock.run_for(TARGET * 1000)
    expect(page.get_by_role("alertdialog")).to_be_visible()
    assert serious() == [], "question"
    page.get_by_role("button", name="Yes, save it").click()
    page.clock.run_for((SWITCH + TARGET + 1) * 1000)
    expect(page.locator("#timer")).to_have_attribute("data-phase", "done")
    assert serious() == [], "done"


def test_the_side_is_said_in_the_levels_own_words(page, live_server, clinic):
    page.add_init_script(RECORD_CUES)
    open_timer(page, live_server, clinic["prescription"])
    voice = page.evaluate("'speechSynthesis' in window")
    page.get_by_role("button", name="Start").click()
    words = "Left leg long and relaxed, the other knee drawn to your chest"
    expect(page.locator("#timer-side")).to_have_text(f"Next: {words}")
    page.clock.run_for((clinic["prescription"].get_ready_seconds + 1) * 1000)
    expect(page.locator("#timer-side")).to_have_text(words)
    if voice:
        assert ("speak", f"{words}: hold for 30 seconds") in cues_since(page, 0)


def test_a_phone_that_slept_without_a_word_is_asked_too(timer, prescription):
    page = timer
    page.get_by_role("button", name="Start").click()
    page.clock.run_for((GET_READY + 5) * 1000)
    # Two minutes pass with the page frozen: no tick, no visibility change, then it wakes.
    page.clock.fast_forward(120_000)
    page.clock.run_for(1000)
    expect(page.get_by_role("alertdialog", name="Did you finish this hold?")).to_be_visible()
    assert not HoldLog.objects.filter(prescription=prescription).exists()


def test_stopping_during_a_hold_the_page_did_not_see_saves_nothing(timer, prescription):
    page = timer
    page.get_by_role("button", name="Start").click()
    page.clock.run_for((GET_READY + 5) * 1000)
    look_away(page)
    page.clock.run_for(5000)
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("#timer-log li").first).to_contain_text("not saved")
    assert not HoldLog.objects.filter(prescription=prescription).exists()
