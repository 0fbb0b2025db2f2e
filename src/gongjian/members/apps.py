from gongjian.core import capabilities


class MembersConfig(capabilities.Capability):
    name = "gongjian.members"
    label = "members"
    verbose_name = "党员与班子"

    def ready(self):
        from django.db.models import Q

        from gongjian.orgs.services import register_dissolve_blocker, register_merge_label

        register_dissolve_blocker("memberships", "名党员", Q(active=True))
        register_merge_label("members.membership.org", "名党员")
        register_merge_label("members.person.org", "名人员")
