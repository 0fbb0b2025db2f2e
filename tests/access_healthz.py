"""Access-matrix entry of the health check: open to everyone, signed in or not; it answers
only {"status": ...}, never data."""

from access_common import EVERYONE, E

ENTRIES = [
    E("healthz", EVERYONE | {"anonymous"}),
]
