"""Access-matrix entries of the public boards: open to everyone, signed in or not."""

from access_common import EVERYONE, TWIN_OF, E

ANYONE = EVERYONE | {"anonymous"}
# A board is public: every twin reads community A's board as anyone does.
PUBLIC = set(TWIN_OF)

ENTRIES = [
    E("board_index", ANYONE, sees_a=PUBLIC),
    E("board_detail", ANYONE, args=lambda t, u: [t.a.code], sees_a=PUBLIC),
    E("board_qr", ANYONE, args=lambda t, u: [t.a.code], sees_a=PUBLIC),
]
