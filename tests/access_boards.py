"""Access-matrix entries of the public boards: open to everyone, signed in or not."""

from access_common import EVERYONE, E

ANYONE = EVERYONE | {"anonymous"}

ENTRIES = [
    E("board_index", ANYONE),
    E("board_detail", ANYONE, args=lambda t, u: [t.a.code]),
    E("board_qr", ANYONE, args=lambda t, u: [t.a.code]),
]
