"""The check-in codes: what the organiser's rotating QR code carries, and the short-lived ticket
a valid scan turns into.

A code is `<activity>.<window>` signed with Django's signing (HMAC over SECRET_KEY, its own
salt): the window is the number of `code_seconds` periods since the epoch, so the code is the
same for everyone within a window and changes with the next; the current and the previous
window are accepted (a scan just after the change still counts). A photo of the code sent home
is useless half a minute later.

A valid scan becomes a ticket (TimestampSigner: activity and the scanning moment) valid for
`scan_ticket_seconds`, so a volunteer who must first log in on the phone, or reads the
confirmation before pressing it, is not turned away by the code having moved on meanwhile.
"""

from __future__ import annotations

import datetime

from django.core import signing
from django.utils import timezone

from gongjian.core.services import DomainError

from . import rules

CODE_SALT = "gongjian.volunteer.checkin-code"
TICKET_SALT = "gongjian.volunteer.checkin-ticket"

EXPIRED = "签到码已过期，请扫描现场屏幕上最新的二维码。"
INVALID = "签到码无效，请扫描活动现场组织者出示的二维码。"
OTHER = "这是另一个活动的签到码，请扫描本活动现场的二维码。"


def window(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return int(now.timestamp()) // int(rules.setting("code_seconds"))


def code_for(activity_id: int, now: datetime.datetime | None = None,
             at_window: int | None = None) -> str:
    w = window(now) if at_window is None else at_window
    return signing.Signer(salt=CODE_SALT).sign(f"{activity_id}.{w}")


def seconds_left(now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    period = int(rules.setting("code_seconds"))
    return period - int(now.timestamp()) % period


def read_code(code: str, now: datetime.datetime | None = None) -> int:
    """The activity a code names, if its window is the current or the previous one; else a
    Chinese refusal (400)."""
    try:
        value = signing.Signer(salt=CODE_SALT).unsign((code or "").strip())
        activity, at = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        raise DomainError(INVALID, field="code", status=400) from None
    if window(now) - at not in (0, 1):
        raise DomainError(EXPIRED, field="code", status=400)
    return activity


def activity_of_code(code: str, activity_id: int, now: datetime.datetime | None = None) -> None:
    """Refuse a code that is not this activity's current one."""
    if read_code(code, now) != activity_id:
        raise DomainError(OTHER, field="code", status=400)


def ticket_for(activity_id: int) -> str:
    return signing.TimestampSigner(salt=TICKET_SALT).sign(str(activity_id))


def read_ticket(ticket: str) -> int:
    """The activity of a ticket still valid; else a Chinese refusal (400)."""
    signer = signing.TimestampSigner(salt=TICKET_SALT)
    try:
        return int(signer.unsign((ticket or "").strip(),
                                 max_age=int(rules.setting("scan_ticket_seconds"))))
    except signing.SignatureExpired:
        raise DomainError("扫码后等待时间过长，请重新扫描现场的二维码。", field="code",
                          status=400) from None
    except (signing.BadSignature, ValueError):
        raise DomainError(INVALID, field="code", status=400) from None
