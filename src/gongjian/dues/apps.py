from gongjian.core import capabilities


class DuesConfig(capabilities.Capability):
    name = "gongjian.dues"
    label = "dues"
    verbose_name = "党费收缴"
    mine_sections = (("gongjian.dues.queries", "dues/_mine.html"),)
    mine_order = 30
    demo_order = 100

    def ready(self):
        from django.db.models.signals import post_save

        from gongjian.core import navigation
        from gongjian.core.access import extend_role_permissions, perms
        from gongjian.members.models import Membership
        from gongjian.orgs.services import register_merge_label

        from . import reminders  # noqa: F401  (registers the daily sweep)
        from .models import Account, Month

        # Branch committees collect the dues; community and street staff keep the ledgers of
        # their branches, remit and import the bases.
        keeper = (perms("dues", "account", "view", "change", "pay")
                  | perms("dues", "base", "view", "add")
                  | perms("dues", "payment", "view", "add")
                  | perms("dues", "month", "view")
                  | perms("dues", "remittance", "view", "add"))
        extend_role_permissions({
            "street_staff": keeper, "community_staff": keeper, "branch_committee": keeper,
            # A member reads their own dues.
            "member": perms("dues", "account", "view") | perms("dues", "base", "view")
            | perms("dues", "payment", "view") | perms("dues", "month", "view"),
        })
        navigation.register("党费台账", "dues_ledger", Month, icon="bi-cash-coin", order=24,
                            group="组织生活", exclude_roles=("member",))
        navigation.register("党费欠缴", "dues_arrears", Account, icon="bi-exclamation-circle",
                            order=25, group="组织生活", exclude_roles=("member",))
        register_merge_label("dues.account.org", "个党费账户")
        register_merge_label("dues.payment.org", "笔党费交纳")
        register_merge_label("dues.month.org", "")
        register_merge_label("dues.remittance.org", "笔党费上缴")
        register_merge_label("dues.remittance.to_org", "")

        def follow_membership(sender, instance, created=False, **kwargs):
            if created:  # a new membership has no dues account yet
                return
            # The account follows its membership: the branch it is kept in, and whether the
            # member is still on the roster (a member who left owes nothing more).
            Account.objects.filter(membership=instance).exclude(
                org_id=instance.org_id, active=instance.active).update(
                org_id=instance.org_id, active=instance.active)

        post_save.connect(follow_membership, sender=Membership, weak=False,
                          dispatch_uid="dues-follow-membership")
