"""What a request asks of its answer."""


def wants_json(request):
    """The timer's outbox and other scripts ask for JSON; a browser's page load never does."""
    return "application/json" in request.headers.get("Accept", "")
