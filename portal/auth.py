def login_username(request, credentials):
    """The e-mail address a login attempt is for, as stored: lockouts must not be dodged by
    typing the same address in other letter case."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return raw.strip().lower()
