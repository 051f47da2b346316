"""The form of a Dask scheduler address, checked before anything connects or is written.

One rule for every place that takes one (``qenergy sweep --scheduler``, ``qenergy simon
--scheduler`` through [qenergy.classical.parallel_rho.parallel_rho_search][]): it lives in the core
so that the classical side and the application layer both use it.
"""

from __future__ import annotations

import re

from qenergy.errors import InputError, shorten

__all__ = ["SCHEDULER_FORMS", "check_scheduler_address"]

#: What a scheduler address may look like, for messages.
SCHEDULER_FORMS = "tcp://HOST:PORT, tls://HOST:PORT, inproc://NAME or HOST:PORT with 1 <= PORT <= 65535"


def check_scheduler_address(text: object, *, flag: str = "--scheduler") -> str:
    """``text`` if it is a Dask scheduler address, else [`InputError`][InputError] naming ``flag``, the value and what is allowed.

    Allowed: ``tcp://HOST:PORT``, ``tls://HOST:PORT``, ``inproc://…`` (at most 300 characters) or
    ``HOST:PORT`` (taken as tcp), with 1 <= PORT <= 65535 (ASCII digits) and HOST a hostname
    (letters, digits, ``-``, ``.``, ``_``, at most 253 characters), an IPv4 address or a bracketed
    IPv6 address (``[::1]``). No spaces. Only the form is checked; whether a scheduler answers
    there is found when connecting.
    """

    def refuse(why: str) -> InputError:
        return InputError(f"{flag} {shorten(str(text))!r} is not allowed ({why}); allowed: {SCHEDULER_FORMS}")

    if not isinstance(text, str):
        raise refuse("not a string")
    if not text:
        raise refuse("empty")
    if not text.isascii() or any(c.isspace() or not c.isprintable() for c in text):
        raise refuse("spaces or non-ASCII characters")
    scheme, sep, rest = text.partition("://")
    if not sep:
        scheme, rest = "tcp", text
    elif scheme == "inproc":
        if not rest or len(rest) > 300:
            raise refuse("inproc:// needs an address")
        return text
    elif scheme not in ("tcp", "tls"):
        raise refuse(f"unknown protocol {shorten(scheme, 20)!r}")
    host, colon, port = rest.rpartition(":")
    if not colon or not host:
        raise refuse("no HOST:PORT")
    if not port.isdigit() or len(port) > 5 or not 1 <= int(port) <= 65535:
        raise refuse(f"port {shorten(port, 20)!r} is not in 1..65535")
    if host.startswith("["):
        inner = host[1:-1] if host.endswith("]") else ""
        if not inner or any(c not in "0123456789abcdefABCDEF:." for c in inner) or inner.count(":") < 2:
            raise refuse(f"host {shorten(host, 40)!r} is not a bracketed IPv6 address")
    elif len(host) > 253 or not re.fullmatch(r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?", host) or ".." in host:
        raise refuse(f"host {shorten(host, 40)!r} is not a hostname or IP address")
    return text
