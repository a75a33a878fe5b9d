"""Where to send someone next: the one check of a "next" address, used by every view
that honours one."""

from django.http import HttpResponseRedirect, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme


def next_path(request, default):
    """The request's "next" address if it is a path on this site, else ``default``.

    Only a path starting with "/" is taken: anything else (another site, a scheme, a
    bare word that a redirect would try to read as a view's name) falls back.
    """
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def redirect_next(request, default):
    return HttpResponseRedirect(next_path(request, default))


def with_next(url, next_address):
    """``url`` carrying ``next_address`` as its "next" parameter, encoded."""
    query = QueryDict(mutable=True)
    query["next"] = next_address
    return f"{url}?{query.urlencode(safe='/')}"
