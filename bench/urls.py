"""The portal's URLs plus two yardsticks of `manage.py bench`: a bare view, and an empty
page in the portal's own layout (the floor of every page a person sees)."""

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


def empty_page(request):
    return render(request, "base.html")


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("bench/empty-page/", empty_page, name="bench-empty-page"),
    *portal_urlpatterns,
]
