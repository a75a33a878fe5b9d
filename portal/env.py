"""Reading settings from the environment, failing loudly on a value we cannot use.

Every helper raises ImproperlyConfigured with the variable's name in the message, so a
typo in a deployment stops the portal at start instead of quietly changing its behaviour.
"""

import ipaddress
import os
import zoneinfo
from dataclasses import dataclass
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value.strip()


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be one of 1/0, true/false, yes/no or "
        f"on/off, not {raw!r}."
    )


def env_choice(name, choices, default):
    """One of ``choices``, or the environment variable's name and what it may be."""
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be one of {', '.join(choices)}, not {value!r}."
        )
    return value


def env_int(name, default, *, minimum=None):
    raw = env_str(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a whole number, not {raw!r}."
        ) from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be at least {minimum}, not {value}."
        )
    return value


def env_float(name, default, *, minimum):
    """A number of seconds, say, that may have a fraction."""
    raw = env_str(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a number, not {raw!r}."
        ) from None
    if not value >= minimum:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be at least {minimum}, not {raw}."
        )
    return value


def env_list(name, default=()):
    raw = env_str(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_time_zone(name, default):
    value = env_str(name, default)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(
            f"The environment variable {name} must be an IANA time zone such as "
            f"'America/Toronto', not {value!r}."
        ) from None
    return value


DATABASE_SCHEMES = ("sqlite", "postgres", "postgresql", "pgsql")


def env_database(name, default, *, conn_max_age, connect_timeout, statement_timeout):
    """A Django DATABASES entry from a URL: SQLite or PostgreSQL, nothing else. On
    PostgreSQL, connecting gives up after ``connect_timeout`` seconds and the server
    cancels any statement that runs longer than ``statement_timeout`` (0: no limit)."""
    url = env_str(name, default)
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in DATABASE_SCHEMES:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be a sqlite:// or postgres:// URL, "
            f"for example postgres://user:password@host:5432/holdfast."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    except ValueError as error:
        raise ImproperlyConfigured(
            f"The environment variable {name} is not a database URL that can be read ({error})."
        ) from None
    if not config.get("NAME"):
        raise ImproperlyConfigured(f"The environment variable {name} names no database.")
    if scheme != "sqlite":
        options = config.setdefault("OPTIONS", {})
        options.setdefault("connect_timeout", connect_timeout)
        server_options = options.get("options", "")
        options["options"] = f"{server_options} -c statement_timeout={statement_timeout}s".strip()
    return config


def redis_cache(url, *, key_prefix="holdfast"):
    """The CACHES entry for a Redis the portal lives without (portal/cache.py): a
    quarter of a second to connect or to answer, then the call is a miss."""
    return {
        "BACKEND": "portal.cache.ForgivingRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }


DEFAULT_PORTS = {"http": 80, "https": 443}


def passkey_origin(site_url):
    """The origin passkeys are made for, from the site's address, as a browser writes
    it: scheme, host and any port but the scheme's own, with ``localhost`` for a bare
    IP address (browsers give passkeys to no IP address)."""
    parts = urlsplit(site_url)
    host = parts.hostname or "localhost"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        host = "localhost"
    port = f":{parts.port}" if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme) else ""
    return f"{parts.scheme}://{host}{port}"


def env_origin(name, default, *, for_passkeys=True):
    """An origin (``https://portal.clinic.example``, no path) as a browser writes it; for
    passkeys, with ``localhost`` for an IP address (passkey_origin)."""
    value = env_str(name)
    if value is None:
        return default
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 -- reading it checks it
    except ValueError:
        parts = None
    if not (
        parts
        and parts.scheme in DEFAULT_PORTS
        and parts.hostname
        and parts.path in ("", "/")
        and not (parts.query or parts.fragment or parts.username)
    ):
        raise ImproperlyConfigured(
            f"{name} must be an origin such as https://portal.clinic.example (no path), "
            f"not {value!r}."
        )
    if not for_passkeys:
        return value.rstrip("/")
    return passkey_origin(value)


# Uploaded pictures and videos never change under their names, so they may be kept a year.
MEDIA_CACHE_CONTROL = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class MediaStorage:
    """Where the library's uploads are kept: STORAGES["default"], and the origin their
    addresses are on when that is not the portal's own (for the CSP)."""

    storage: dict
    origins: tuple = ()

    @property
    def elsewhere(self):
        return bool(self.origins)


def env_media_storage(*, bucket, endpoint, region, domain):
    """The file system (MEDIA_ROOT) without a bucket; else an S3-compatible object store
    through django-storages (``endpoint``, an origin, for a store other than Amazon's),
    its credentials read by boto3 from its own variables (AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY) or the machine's role."""
    if bucket is None:
        return MediaStorage(storage={"BACKEND": "django.core.files.storage.FileSystemStorage"})
    options = {
        "bucket_name": bucket,
        # Public content under unguessable names: plain addresses, no signatures.
        "querystring_auth": False,
        "file_overwrite": False,
        "default_acl": None,
        "object_parameters": {"CacheControl": MEDIA_CACHE_CONTROL},
    }
    if endpoint:
        options["endpoint_url"] = endpoint
    if region:
        options["region_name"] = region
    if domain:
        if "/" in domain or ":" in domain:
            raise ImproperlyConfigured(
                f"PORTAL_MEDIA_DOMAIN is a host name such as media.clinic.example, not {domain!r}."
            )
        options["custom_domain"] = domain
    if domain:
        origins = (f"https://{domain}",)
    elif endpoint:
        origins = (endpoint,)
    else:
        # Amazon's addresses for this bucket alone (boto3 writes either), never any bucket.
        hosts = [f"{bucket}.s3.amazonaws.com"]
        if region:
            hosts.append(f"{bucket}.s3.{region}.amazonaws.com")
        origins = tuple(f"https://{host}" for host in hosts)
    return MediaStorage(
        storage={"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}, origins=origins
    )
