"""The client's address, the one helper that the lockout and the audit trail use.

Behind PORTAL_TRUSTED_PROXIES proxies (each appending the address it was reached from to
X-Forwarded-For, as nginx's $proxy_add_x_forwarded_for and load balancers do), the
client is that many entries from the right of the header: what the outermost trusted
proxy saw. Entries further left came from the client and may be forged, so they are
never read; a header shorter than the chain, or an entry that is not an address, means
the request did not come through the proxies, and the connection's own address stands.

python-ipware was tried for this and set aside: it counts the proxies' own addresses in
the header (which nginx does not add) and passes over private addresses, which a clinic's
own network uses.
"""

from ipaddress import ip_address

from django.conf import settings


def client_address(request):
    """The client's IP address as text, or None when there is none to be had."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PORTAL_TRUSTED_PROXIES
    if not proxies:
        return remote
    chain = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [entry for entry in chain if entry]
    if len(chain) < proxies:
        return remote
    candidate = chain[-proxies]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote
