from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, prefetch_related_objects
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from patients import adherence, calendar, charts, exports, flags, services
from patients.access import (
    hold_log_for_patient,
    pain_score_for_patient,
    patient_for_user,
    prescription_for_user,
)
from patients.forms import (
    HoldEditForm,
    HoldLogForm,
    PainEditForm,
    PainScoreForm,
    ReminderSettingsForm,
)
from patients.models import HoldLog, PainScore, Patient, Prescription
from portal import audit
from portal.clock import clinic_now, day_start, local_date
from portal.http import wants_json
from portal.redirects import redirect_next
from portal.sessions import fresh_sign_in_required

# The today and history pages read this many days before today, and no more: the streak
# is shown up to this length ("30 days or more"), so a page costs the same after a month
# of use as after a year. The history's month (adherence.MONTH_DAYS) is among them.
RECENT_DAYS = adherence.MONTH_DAYS

# Today's session ("Start today's program"): each timer of it carries ?session=on, and
# after its last set the patient comes back to Today with ?session=done for the summary.
SESSION = "session"
SESSION_ON = "on"
SESSION_DONE = "done"

PROGRESSION_NOTE_DAYS = 14


def side_progress(prescription, done_by_side):
    """Each side's holds today against what the day asks: holds beyond it are extra,
    never "5 of 2"."""
    per_side = prescription.holds_per_side_per_day
    progress = []
    for side in prescription.sides:
        done = done_by_side.get(side.value, 0)
        progress.append(
            {
                "side": side.value,
                "label": side.label,
                "done": done,
                "of": per_side,
                "counted": min(done, per_side),
                "extra": max(0, done - per_side),
            }
        )
    return progress


@dataclass(frozen=True)
class RecentProgram:
    """A patient's prescriptions, qualifying holds and pauses over the RECENT_DAYS
    before today and today itself, with the Adherence of each of those days."""

    day: date
    prescriptions: list
    counts: dict
    daily: dict
    # The pause the program is in today, if it is.
    pause: object

    @classmethod
    def read(cls, patient, day, tz):
        """Three queries, whatever the length of the patient's history."""
        start, end = day - timedelta(days=RECENT_DAYS), day + timedelta(days=1)
        prescriptions = list(
            Prescription.objects.filter(patient=patient)
            .overlapping(start, end)
            .with_level()
            # The progression note names the clinician; their name is all it needs.
            .annotate(prescriber_first_name=F("prescribed_by__first_name"))
        )
        for prescription in prescriptions:
            prescription.patient = patient
        rows = adherence.hold_counts(patient_ids=[patient.pk], start=start, end=end, tz=tz)
        counts = adherence.full_holds(rows)
        pauses = adherence.pauses_by_patient(patient_ids=[patient.pk], start=start, end=end)
        daily = adherence.adherence_by_day(prescriptions, counts, start, end, pauses)[patient.pk]
        pause = next((found for found in pauses[patient.pk] if found.covers(day)), None)
        return cls(day=day, prescriptions=prescriptions, counts=counts, daily=daily, pause=pause)

    def streak(self):
        """Days in a row with the whole program done, counted up to RECENT_DAYS."""
        return min(adherence.streak(self.daily, self.day), RECENT_DAYS)

    def window(self, days):
        """The adherence window of ``days`` complete days before today."""
        return adherence.adherence_window(days, report_day=self.day, today=self.day)

    def week(self):
        return adherence.total(self.daily, self.window(7))

    def today_so_far(self):
        return self.daily[self.day]

    def cards(self):
        """Today's program, one card per active prescription, with today's holds."""
        by_pk = {prescription.pk: prescription for prescription in self.prescriptions}
        cards = []
        for prescription in self.prescriptions:
            if not prescription.is_active_on(self.day):
                continue
            done = {
                side.value: adherence.held(self.counts, prescription, self.day, side.value)
                for side in prescription.sides
            }
            progress = side_progress(prescription, done)
            previous = None
            if (
                prescription.progressed_from_id is not None
                and (self.day - prescription.start_date).days < PROGRESSION_NOTE_DAYS
            ):
                previous = by_pk.get(prescription.progressed_from_id) or (
                    prescription.progressed_from
                )
            cards.append(
                {
                    "prescription": prescription,
                    "progress": progress,
                    "complete": all(entry["done"] >= entry["of"] for entry in progress),
                    "due": prescription.is_due_on(self.day),
                    "progressed_from": previous,
                }
            )
        return cards


def week_summary(recent, pain_days):
    """The "This week" box and the severe-pain warning, from RecentProgram and the
    patient's own pain scores by day (flags.scores_by_day) of at least the last seven
    days."""
    streak = recent.streak()
    return {
        "week": recent.week(),
        "week_window": recent.window(7),
        "today_so_far": recent.today_so_far(),
        "streak": streak,
        "streak_capped": streak >= RECENT_DAYS,
        "severe_pain": severe_pain_of(pain_days, recent.day),
    }


def recent_pain_days(patient, day, tz):
    """The patient's own pain scores of the pain window ending ``day``, by day
    (flags.scores_by_day). One query."""
    week = adherence.reading_window(flags.PAIN_WINDOW_DAYS, report_day=day)
    return flags.scores_by_day(
        PainScore.objects.for_patient(patient)
        .from_patient()
        .between(day_start(week.start, tz), day_start(week.end, tz))
        .values_list("score", "recorded_at"),
        tz,
    )


def severe_pain_of(pain_days, day):
    return flags.severe_pain(
        pain_days, adherence.reading_window(flags.PAIN_WINDOW_DAYS, report_day=day)
    )


@require_GET
def today(request):
    patient = patient_for_user(request.user)
    now, tz, day = clinic_now()
    return render_today(request, patient, now, tz, day)


def render_today(request, patient, now, tz, day, *, pain_form=None, status=200):
    recent = RecentProgram.read(patient, day, tz)
    pain_days = recent_pain_days(patient, day, tz)
    cards = recent.cards()
    waiting = [card for card in cards if card["due"] and not card["complete"]]
    levels = [card["prescription"].level for card in cards]
    prefetch_related_objects(levels, "images", "steps")
    context = {
        "patient": patient,
        "day": day,
        "cards": cards,
        # "Start today's program" runs the stretches still waiting today, in this order.
        "session_start": waiting[0]["prescription"] if waiting else None,
        "session_done": request.GET.get(SESSION) == SESSION_DONE,
        # Kept by the service worker, so that the timer shows them offline too.
        "offline_pictures": [url for level in levels for url in level.picture_urls()],
        "pause": recent.pause,
        "pain_checked_in": day in pain_days,
        "pain_form": pain_form or PainScoreForm(now=now, tz=tz),
        **week_summary(recent, pain_days),
    }
    return render(request, "patients/today.html", context, status=status)


@require_GET
def timer(request, prescription_id):
    prescription = prescription_for_user(request.user, prescription_id)
    patient = prescription.patient
    now, tz, day = clinic_now()
    return render_timer(request, patient, prescription, now, tz, day)


def next_card_after(cards, prescription):
    """The card (RecentProgram.cards) of the stretch to do after ``prescription`` today:
    the next one in Today's order that is due and not done yet, or else an earlier one."""
    waiting = [
        card
        for card in cards
        if card["due"] and not card["complete"] and card["prescription"].pk != prescription.pk
    ]
    order = [card["prescription"].pk for card in cards]
    here = order.index(prescription.pk) if prescription.pk in order else -1
    later = [card for card in waiting if order.index(card["prescription"].pk) > here]
    return (later or waiting or [None])[0]


def render_timer(request, patient, prescription, now, tz, day, *, hold_form=None, status=200):
    done = adherence.holds_by_side(prescription=prescription, day=day, tz=tz)
    cards = RecentProgram.read(patient, day, tz).cards()
    in_session = request.GET.get(SESSION) == SESSION_ON
    level = prescription.level
    prefetch_related_objects([level], "steps")
    hold_step = level.hold_step
    context = {
        "next_card": next_card_after(cards, prescription),
        "in_session": in_session,
        "prescription": prescription,
        "level": prescription.level,
        # During each hold the timer shows the step that is held, and its picture.
        "hold_step": hold_step,
        "picture": hold_step if hold_step and hold_step.has_picture else level.main_image,
        "steps": level.steps.all(),
        "active": prescription.is_active_on(day),
        "progress": side_progress(prescription, done),
        "hold_form": hold_form or HoldLogForm(prescription=prescription, now=now, tz=tz),
        "pain_form": PainScoreForm(now=now, tz=tz, initial={"context": PainScore.Context.AFTER}),
        "sides": [side.value for side in prescription.sides],
        # What the timer says for each side, from the level's content ("Left leg long...").
        "side_words": [prescription.level.side_words(side.label) for side in prescription.sides],
        # The clinic's number comes before the Start button after a severe score.
        "severe_pain": severe_pain_of(recent_pain_days(patient, day, tz), day),
    }
    return render(request, "patients/timer.html", context, status=status)


@require_POST
def log_hold(request, prescription_id):
    prescription = prescription_for_user(request.user, prescription_id)
    patient = prescription.patient
    now, tz, day = clinic_now()
    form = HoldLogForm(request.POST, prescription=prescription, now=now, tz=tz)
    if not form.is_valid():
        if wants_json(request):
            return JsonResponse({"status": "invalid", "errors": form.errors}, status=400)
        return render_timer(
            request, patient, prescription, now, tz, day, hold_form=form, status=400
        )

    hold, created = services.hold_log_create(
        patient=patient,
        prescription=prescription,
        side=form.cleaned_data["side"],
        seconds=form.cleaned_data["seconds"],
        performed_at=form.cleaned_data["performed_at"],
        client_token=form.cleaned_data["client_token"],
        source=form.cleaned_data["source"],
    )
    message = (
        f"Saved: {hold.get_side_display().lower()} side, {hold.seconds} seconds."
        if created
        else "That hold was already saved."
    )
    if wants_json(request):
        done = adherence.holds_by_side(prescription=prescription, day=day, tz=tz)
        progress = side_progress(prescription, done)
        return JsonResponse(
            {
                "status": "saved" if created else "already-saved",
                "id": hold.pk,
                "message": message,
                "progress": progress,
            },
            status=201 if created else 200,
        )
    messages.success(request, message)
    return redirect("patients:timer", prescription_id=prescription.pk)


@require_POST
def log_pain(request):
    patient = patient_for_user(request.user)
    now, tz, day = clinic_now()
    form = PainScoreForm(request.POST, now=now, tz=tz)
    if not form.is_valid():
        if wants_json(request):
            return JsonResponse({"status": "invalid", "errors": form.errors}, status=400)
        return render_today(request, patient, now, tz, day, pain_form=form, status=400)

    pain, created = services.pain_score_create(
        patient=patient,
        score=form.cleaned_data["score"],
        context=form.cleaned_data["context"],
        recorded_at=form.cleaned_data["recorded_at"],
        note=form.cleaned_data["note"],
        client_token=form.cleaned_data["client_token"],
    )
    message = (
        f"Saved: pain {pain.score} out of 10." if created else "That pain score was already saved."
    )
    if wants_json(request):
        # After a severe score the page is shown again, with the clinic's number first
        # (an earlier severe score this week is on the page already).
        severe = pain.score >= flags.SEVERE_PAIN
        answer = {
            "status": "saved" if created else "already-saved",
            "id": pain.pk,
            "message": message,
            "severe_pain": severe,
        }
        return JsonResponse(answer, status=201 if created else 200)
    messages.success(request, message)
    return redirect_next(request, reverse("patients:today"))


@require_GET
def history(request):
    now, tz, day = clinic_now()
    patient = patient_for_user(request.user)
    recent = RecentProgram.read(patient, day, tz)
    # The month of complete days before today, and today on its own.
    month = recent.window(adherence.MONTH_DAYS)
    start, end = day_start(month.start, tz), day_start(day + timedelta(days=1), tz)
    daily = {each: result for each, result in recent.daily.items() if month.covers(each)}
    holds = list(
        HoldLog.objects.for_patient(patient)
        .between(start, end)
        .select_related("prescription__level__exercise")
    )
    pains = list(PainScore.objects.for_patient(patient).between(start, end))
    entries_by_day = {each: {"holds": [], "pains": []} for each in [*daily, day]}
    for hold in holds:
        entries_by_day[local_date(hold.performed_at, tz)]["holds"].append(hold)
    for pain in pains:
        entries_by_day[local_date(pain.recorded_at, tz)]["pains"].append(pain)
    own_pains = [pain for pain in pains if pain.context != PainScore.Context.INTAKE]
    pain_points = [(local_date(pain.recorded_at, tz), pain.score) for pain in own_pains]
    earlier = [
        {"day": each, "totals": daily[each], **entries_by_day[each]}
        for each in reversed(list(daily))
    ]

    context = {
        "days": [(each, daily[each]) for each in reversed(list(daily))],
        "holds_chart": charts.holds_chart(daily),
        "pain_chart": charts.pain_chart([*daily, day], pain_points),
        "today": entries_by_day[day],
        "earlier": earlier,
        "has_pain": bool(own_pains),
        "month": adherence.total(daily, month),
        "month_window": month,
        **week_summary(
            recent, flags.scores_by_day(((p.score, p.recorded_at) for p in own_pains), tz)
        ),
    }
    return render(request, "patients/history.html", context)


def editable_or_403(entry, what):
    now, tz, day = clinic_now()
    if not entry.is_editable_on(day, tz):
        raise PermissionDenied(
            f"This {what} is from an earlier day. Earlier entries are kept as they are; "
            "ask your clinician if something needs correcting."
        )


def correct_entry(request, entry, *, what, form, save):
    """The shared flow of correcting today's entry: a form, then back to the history."""
    editable_or_403(entry, what)
    if request.method == "POST" and form.is_valid():
        save(**form.cleaned_data)
        messages.success(request, f"{what.capitalize()} updated.")
        return redirect("patients:history")
    context = {"form": form, "entry": entry, "title": f"Correct a {what}"}
    return render(
        request, "patients/edit_entry.html", context, status=400 if form.is_bound else 200
    )


def delete_entry(request, entry, *, what, delete):
    """The shared flow of deleting today's entry: a confirmation, then the deletion."""
    editable_or_403(entry, what)
    if request.method == "POST":
        delete()
        messages.success(request, f"{what.capitalize()} deleted.")
        return redirect("patients:history")
    return render(request, "patients/delete_entry.html", {"entry": entry, "what": what})


@require_http_methods(["GET", "POST"])
def edit_hold(request, pk):
    hold = hold_log_for_patient(patient_for_user(request.user), pk)
    form = HoldEditForm(
        request.POST or None,
        prescription=hold.prescription,
        initial={"side": hold.side, "seconds": hold.seconds},
    )
    save = partial(services.hold_log_update, hold_log=hold)
    return correct_entry(request, hold, what="hold", form=form, save=save)


@require_http_methods(["GET", "POST"])
def delete_hold(request, pk):
    hold = hold_log_for_patient(patient_for_user(request.user), pk)
    delete = partial(services.hold_log_delete, hold_log=hold)
    return delete_entry(request, hold, what="hold", delete=delete)


@require_http_methods(["GET", "POST"])
def edit_pain(request, pk):
    pain = pain_score_for_patient(patient_for_user(request.user), pk)
    form = PainEditForm(
        request.POST or None,
        initial={"score": pain.score, "context": pain.context, "note": pain.note},
    )
    save = partial(services.pain_score_update, pain_score=pain)
    return correct_entry(request, pain, what="pain score", form=form, save=save)


@require_http_methods(["GET", "POST"])
def delete_pain(request, pk):
    pain = pain_score_for_patient(patient_for_user(request.user), pk)
    delete = partial(services.pain_score_delete, pain_score=pain)
    return delete_entry(request, pain, what="pain score", delete=delete)


@require_GET
@fresh_sign_in_required
def export_my_data(request):
    """Everything the portal stores about the patient, to download (right of access)."""
    patient = patient_for_user(request.user)
    audit.record(audit.Action.EXPORT, patient=patient)
    _, _, day = clinic_now()
    response = HttpResponse(exports.patient_archive(patient), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="holdfast-my-data-{day}.zip"'
    return response


PRINT_WEEKS = 4


@require_GET
def print_program(request):
    """The current program on paper: each level's steps, dose, tip and cautions, and four
    weeks of boxes to tick."""
    patient = patient_for_user(request.user)
    _, _, day = clinic_now()
    prescriptions = (
        Prescription.objects.filter(patient=patient)
        .active_on(day)
        .with_level()
        .prefetch_related("level__steps", "level__images")
    )
    context = {
        "patient": patient,
        "prescriptions": prescriptions,
        "day": day,
        "weekdays": [day + timedelta(days=offset) for offset in range(7)],
        "weeks": range(PRINT_WEEKS),
    }
    return render(request, "patients/print_program.html", context)


@require_http_methods(["GET", "POST"])
def reminder_settings(request):
    patient = patient_for_user(request.user)
    form = ReminderSettingsForm(
        request.POST or None,
        initial={"reminders_on": patient.reminders_on, "reminder_time": patient.reminder_time},
    )
    if request.method == "POST" and form.is_valid():
        services.patient_settings_update(patient=patient, **form.cleaned_data)
        messages.success(request, "Settings saved.")
        return redirect("patients:settings")
    feed = request.build_absolute_uri(
        reverse("patients:calendar", kwargs={"token": patient.calendar_token})
    )
    context = {"form": form, "patient": patient, "feed": feed}
    return render(request, "patients/settings.html", context, status=400 if form.errors else 200)


@require_POST
def calendar_reset(request):
    patient = patient_for_user(request.user)
    services.calendar_token_reset(patient=patient)
    messages.success(
        request, "Your calendar has a new address. The old one no longer works anywhere."
    )
    return redirect("patients:settings")


@login_not_required
@require_GET
def calendar_feed(request, token):
    """The patient's program as a daily calendar event. The address is the secret; the
    feed names no stretch, level or score."""
    patient = get_object_or_404(Patient.objects.select_related("user"), calendar_token=token)
    # Read by the patient's calendar program, with no one signed in: the event says so.
    audit.record(audit.Action.VIEW, patient=patient, object_type="CalendarFeed")
    now, tz, today = clinic_now()
    response = HttpResponse(
        calendar.program_calendar(patient, now=now, today=today, tz=tz),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response
