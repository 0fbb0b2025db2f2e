"""Access-matrix entries of services for companies (see test_access_matrix.py), and the small
world the enterprise tests share: an area over community A, cadres, a company in each
community (U-A is 鼎峰集团 in A; a second company in B), and a case of U-A."""

import datetime
from types import SimpleNamespace

from access_common import E

STREET_ONLY = {"street"}                        # the first street's areas, cadres and links
STREET_FORMS = {"street", "street_b"}           # blank forms: each street staff for its own
CASE_STAFF = {"street", "community_a"}          # U-A's case: street and community A
CASE_READERS = CASE_STAFF | {"liaison_a"}
# Lists and summaries answer each account with its own street's, community's or unit's rows.
LIST_READERS = {"street", "street_b", "community_a", "community_b", "liaison_a", "liaison_b"}
SUMMARY_READERS = {"street", "street_b", "community_a", "community_b"}
# Community B reads the street's service areas (street_read), area 1 covering community A.
STREET_SHARED = {"community_b"}


def setup_enterprise(tree, users=None, *, case_state="submitted"):
    """Areas, cadres, a link and one case of U-A, written through the services."""
    from gongjian.core import audit
    from gongjian.enterprise import services
    from gongjian.enterprise.models import Cadre, ServiceArea
    from gongjian.members.models import Person
    from gongjian.orgs.models import Unit

    with audit.acting_as(suppress=True):
        company_b = Unit.objects.create(code="U-BC", name="高林科技有限公司",
                                        unit_type="private_company", org=tree.b)
        area = ServiceArea.objects.create(street=tree.s, name="第一片区")
        area.communities.set([tree.a])
        area_b = ServiceArea.objects.create(street=tree.s, name="第二片区", order=2)
        area_b.communities.set([tree.b])

        def cadre(name, post, area, lead=False):
            person = Person.objects.create(name=name, sex="男",
                                           birth_date=datetime.date(1980, 1, 1), org=tree.s)
            return Cadre.objects.create(person=person, street=tree.s, post=post, area=area,
                                        in_leading_group=lead)

        leader = cadre("片长甲", "leader", area, lead=True)
        cadre_a = cadre("干部甲", "cadre", area)
        cadre_b = cadre("干部乙", "cadre", area_b)
        area.leader = leader
        area.save()
        link_a = services.link(user=users.street, cadre=cadre_a, company=tree.unit_a,
                               started_on=datetime.date(2024, 1, 1)) if users else None
        case = None
        if users is not None:
            case = services.raise_case(user=users.liaison_a, company=tree.unit_a, category="finance",
                                       title="流动资金贷款", description="需要贷款 300 万元。",
                                       raised_on=datetime.date(2025, 3, 1))
            if case_state in ("assigned", "following", "resolved", "unsatisfied"):
                case = services.assign(case, user=users.street, assignee=cadre_a,
                                       deadline=datetime.date(2025, 4, 1))
            if case_state in ("following", "resolved", "unsatisfied"):
                case = services.visit(case, user=users.street, visited_on=datetime.date(2025, 3, 5),
                                      visitor=cadre_a, done="上门了解需求")
            if case_state in ("resolved", "unsatisfied"):
                case = services.resolve(case, user=users.street, resolution="获批贷款",
                                        resolved_on=datetime.date(2025, 3, 20))
            if case_state == "unsatisfied":
                case = services.rate(case, user=users.liaison_a, satisfaction="unsatisfied",
                                     comment="额度不够")
    return SimpleNamespace(area=area, area_b=area_b, leader=leader, cadre_a=cadre_a,
                           cadre_b=cadre_b, company_b=company_b, link_a=link_a, case=case)


def _case(t, u, state="submitted"):
    return setup_enterprise(t, u, case_state=state).case.pk


ENTRIES = [
    E("enterprise_summary", SUMMARY_READERS, setup=setup_enterprise),
    E("enterprise_areas", SUMMARY_READERS, setup=setup_enterprise, sees_a=STREET_SHARED),
    E("enterprise_area_create", STREET_FORMS),
    E("enterprise_area_edit", STREET_ONLY,
      args=lambda t, u: [setup_enterprise(t, u).area.pk]),
    E("enterprise_cadres", SUMMARY_READERS, setup=setup_enterprise),
    E("enterprise_cadre_create", STREET_FORMS),
    E("enterprise_cadre_edit", STREET_ONLY,
      args=lambda t, u: [setup_enterprise(t, u).cadre_a.pk]),
    E("enterprise_companies", SUMMARY_READERS, setup=setup_enterprise),
    E("enterprise_link_create", STREET_FORMS),
    E("enterprise_link_end", STREET_ONLY, method="POST",
      args=lambda t, u: [setup_enterprise(t, u).link_a.pk], ok={302}),
    E("enterprise_case_list", LIST_READERS, setup=setup_enterprise),
    E("enterprise_case_export", SUMMARY_READERS, setup=setup_enterprise),
    E("enterprise_case_create", LIST_READERS),
    E("enterprise_case_detail", CASE_READERS, args=lambda t, u: [_case(t, u)]),
    E("enterprise_case_step", CASE_STAFF, method="POST",
      args=lambda t, u: [_case(t, u), "close"], data={"reason": "企业撤回"}, ok={302}),
    # -- API
    E("api-enterprise-case-list", LIST_READERS, setup=setup_enterprise),
    E("api-enterprise-case-detail", CASE_READERS, args=lambda t, u: [_case(t, u)]),
    E("api-enterprise-case-assign", CASE_STAFF, method="POST", args=lambda t, u: [_case(t, u)],
      data={"assignee_org": "JS-A", "deadline": "2025-04-01"}),
    E("api-enterprise-case-visit", CASE_STAFF, method="POST",
      args=lambda t, u: [_case(t, u, "assigned")],
      data={"visited_on": "2025-03-10", "visitor_name": "王干部", "done": "上门了解"}),
    E("api-enterprise-case-resolve", CASE_STAFF, method="POST",
      args=lambda t, u: [_case(t, u, "following")], data={"resolution": "已解决"}),
    E("api-enterprise-case-rate", CASE_READERS, method="POST",
      args=lambda t, u: [_case(t, u, "resolved")], data={"satisfaction": "satisfied"}),
    E("api-enterprise-case-close", CASE_STAFF, method="POST", args=lambda t, u: [_case(t, u)],
      data={"reason": "企业撤回"}),
    E("api-enterprise-case-reopen", CASE_STAFF, method="POST",
      args=lambda t, u: [_case(t, u, "unsatisfied")], data={"note": "继续协调额度"}),
    E("api-enterprise-cadre-link-list", SUMMARY_READERS,
      setup=setup_enterprise),
]
