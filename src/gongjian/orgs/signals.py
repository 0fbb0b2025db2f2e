"""Signals of the organisation tree, for what other capabilities derive from it.

`tree_changing` is sent inside the transaction just before organisations move under another
parent (a move, a merge), `tree_changed` just after, with the same `paths` (the subtrees that
move, as they were before) and the same `context` dict, where a receiver keeps what it found
before for its work after: rows kept per ancestor (rollups by subtree) leave the old
ancestors first and join the new ones then.
"""

from django.dispatch import Signal

tree_changing = Signal()  # paths: list[str], context: dict
tree_changed = Signal()   # paths: list[str], context: dict
