"""Access-matrix entries of the second factor (core/otp.py). The suite runs with enforcement
off, so every signed-in account may open the enrol page (and is sent on from the verify page,
having no authenticator); only the system administrator resets someone's authenticator."""

from access_common import EVERYONE, E

ENTRIES = [
    E("otp_enrol", EVERYONE),
    E("otp_verify", EVERYONE, ok={302}),
    E("account_otp_reset", {"sysadmin"}, method="POST", args=lambda t, u: [u.member.pk],
      ok={302}),
]
