"""The log of sign-ins: every successful log-in, failed attempt, lock-out and log-out of a staff
account, written from Django's authentication signals and django-axes' lock-out signal.

What is kept, to limit the personal data: the time, the outcome, the account (when one matches),
the user name typed (never the password), the client's network rather than its address (IPv4
cut to /24, IPv6 to /48, before anything is stored) and the first 200 characters of the
browser's user agent. Rows are deleted a year after they were written (`purge`, run nightly by
`case_maintenance`)."""

import datetime as dt
import ipaddress
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models import QuerySet
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from compromiso.core.permissions import Perm, Viewer
from compromiso.organizations.models import (
    Membership,
    Organization,
    SignIn,
    SignInOutcome,
    User,
)

RETENTION = dt.timedelta(days=365)
USER_AGENT_LENGTH = 200
IPV4_PREFIX = 24
IPV6_PREFIX = 48
_RECORDED = "_compromiso_sign_in"  # the row already written for this request
# Set by the log-in's code step: the second factor that confirmed it, or that was wrong.
SECOND_FACTOR_ATTR = "_compromiso_second_factor"


def network_of(address: str | None) -> str | None:
    """The network an address belongs to (/24 or /48), or None when it is no address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


def record(
    request: HttpRequest | None,
    outcome: SignInOutcome,
    *,
    user: User | None = None,
    username: str = "",
) -> SignIn:
    """Write one entry; a request writes one row at most (a lock-out upgrades its failure)."""
    earlier: SignIn | None = getattr(request, _RECORDED, None) if request is not None else None
    if earlier is not None:
        if outcome == SignInOutcome.LOCKED_OUT and earlier.outcome == SignInOutcome.FAILED:
            earlier.outcome = outcome
            earlier.save(update_fields=["outcome"])
        return earlier
    username = (username or (user.get_username() if user is not None else ""))[:150]
    if user is None and username:
        user = User.objects.filter(username=username).first()
    meta = request.META if request is not None else {}
    entry = SignIn.objects.create(
        outcome=outcome,
        user=user,
        username=username,
        network=network_of(meta.get("REMOTE_ADDR")),
        user_agent=str(meta.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LENGTH],
        second_factor=str(getattr(request, SECOND_FACTOR_ATTR, "") or ""),
    )
    if request is not None:
        setattr(request, _RECORDED, entry)
    return entry


@receiver(user_logged_in, dispatch_uid="sign_ins.logged_in")
def _logged_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record(request, SignInOutcome.SUCCEEDED, user=user)


@receiver(user_logged_out, dispatch_uid="sign_ins.logged_out")
def _logged_out(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        record(request, SignInOutcome.SIGNED_OUT, user=user)


@receiver(user_login_failed, dispatch_uid="sign_ins.login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has already replaced the password with stars; only the user name is read.
    username = str(credentials.get("username") or "")
    outcome = SignInOutcome.FAILED
    if request is not None and getattr(request, "axes_locked_out", False):
        outcome = SignInOutcome.LOCKED_OUT
    record(request, outcome, username=username)


@receiver(user_locked_out, dispatch_uid="sign_ins.locked_out")
def _locked_out(sender: Any, request: HttpRequest | None, username: str, **kwargs: Any) -> None:
    record(request, SignInOutcome.LOCKED_OUT, username=str(username or ""))


def purge(older_than: dt.timedelta = RETENTION) -> int:
    """Delete the entries older than the retention period."""
    deleted, _types = SignIn.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted


def visible_in(organization: Organization, viewer: Viewer) -> QuerySet[SignIn]:
    """The entries of the members whose roles the viewer manages in the organisation. Attempts
    that named no account belong to no organisation and are shown to none."""
    members = (
        Membership.objects.visible_to(viewer, Perm.MANAGE_MEMBERS)
        .filter(organization=organization)
        .values("user_id")
    )
    return SignIn.objects.filter(user__in=members).select_related("user")


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The user name of a log-in attempt as django-axes counts it (AXES_USERNAME_CALLABLE): the
    form's or the credentials' value, at most as long as a user name can be (150)."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username", "")
    return str(value or "")[:150]
