from django.conf import settings
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from exercises.models import Exercise, Level, LevelVideo
from patients.access import current_prescription_of
from portal.clock import clinic_today


@require_GET
def library(request):
    levels = Level.objects.visible_to(request.user).order_by("number").prefetch_related("images")
    exercises = Exercise.objects.visible_to(request.user).prefetch_related(
        Prefetch("levels", queryset=levels, to_attr="visible_levels")
    )
    return render(request, "exercises/library.html", {"exercises": exercises})


@require_GET
def exercise_detail(request, slug):
    exercise = get_object_or_404(Exercise.objects.visible_to(request.user), slug=slug)
    levels = Level.objects.visible_to(request.user).filter(exercise=exercise).order_by("number")
    return render(
        request, "exercises/exercise_detail.html", {"exercise": exercise, "levels": levels}
    )


@require_GET
def level_detail(request, slug, number):
    levels = Level.objects.visible_to(request.user).select_related("exercise")
    level = get_object_or_404(levels.prefetch_related("images"), exercise__slug=slug, number=number)
    return render(
        request,
        "exercises/level_detail.html",
        {
            "level": level,
            "exercise": level.exercise,
            "steps": level.steps.all(),
            "previous_level": level.previous_in(levels),
            "next_level": level.next_in(levels),
            "prescription": current_prescription_of(request.user, level, clinic_today()),
            "video": LevelVideo.objects.filter(level=level).first(),
            # Captions from an object store load only as a CORS request (README).
            "media_elsewhere": settings.PORTAL_MEDIA.elsewhere,
        },
    )
