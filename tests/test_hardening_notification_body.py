"""A notification's body has a limit (it points at a page, which has the full text): a longer
one, composed from a user's text, is cut with an ellipsis, never refused — refusing would undo
the step that sent it."""

from gongjian.core.models import Notification
from gongjian.core.notifications import notify


def test_a_long_body_is_cut_to_the_limit(users):
    limit = Notification._meta.get_field("body").max_length
    assert limit == 1000
    long = "驳回理由" * 400
    [sent] = notify([users.member], "您的需求不予受理", body=long, url="/")
    stored = Notification.objects.get(pk=sent.pk).body
    assert len(stored) == limit and stored.endswith("…") and long.startswith(stored[:-1])
    [short] = notify([users.member], "短通知", body="原文照录")
    assert Notification.objects.get(pk=short.pk).body == "原文照录"
