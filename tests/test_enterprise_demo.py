"""The demo's services for companies tell 001's story: the leading group, 4 areas, 25 leaders
and community heads, 120-odd linked cadres, 8 instructors, 中金启融's 220 亿 capital increase."""


def test_jinshan_enterprise_demo(demo):
    from gongjian.core.access import restrict
    from gongjian.core.models import User
    from gongjian.enterprise import summary
    from gongjian.enterprise.models import COMPANY_TYPES, Cadre, CadreLink, Case, ServiceArea
    from gongjian.orgs.models import Unit

    street = "XM-JS"
    assert ServiceArea.objects.filter(street__code=street).count() == 4
    cadres = Cadre.objects.filter(street__code=street)
    assert cadres.filter(in_leading_group=True).count() == 25
    assert cadres.filter(post__in=["leader", "community_head"]).count() == 25
    assert cadres.filter(post="instructor").count() == 8
    linking = CadreLink.objects.filter(cadre__street__code=street, ended_on__isnull=True)
    assert linking.filter(cadre__post="cadre").values("cadre").distinct().count() >= 120
    assert ServiceArea.objects.filter(street__code=street, leader__isnull=True).count() == 0
    zhongjin = Case.objects.get(company__name__startswith="中金启融")
    assert zhongjin.state == "resolved" and "220 亿元" in zhongjin.resolution
    assert zhongjin.satisfaction == "satisfied"

    data = summary.build(User.objects.get(username="jinshan"))
    f = data["figures"]
    assert f["overdue"] == 1
    assert f["open"] >= 5 and f["resolved"] > 30 and f["closed"] == 1
    assert f["helped"] > 30 and f["phrase"].startswith(f"为{f['helped']}家企业解决")
    assert 50 < f["satisfaction_rate"] < 100
    # Every company-type unit is linked but two, which the street sees as unlinked.
    companies = Unit.objects.filter(org__path__startswith=cadres.first().street.path,
                                    unit_type__in=COMPANY_TYPES).count()
    assert f["companies_linked"] == companies - 2
    # 会展 has a few, one awaiting the demo liaison's rating.
    liaison = User.objects.get(username="liaison")
    mine = restrict(liaison, "view", Case)
    assert mine.count() == 2 and mine.filter(state="resolved", satisfaction="").count() == 1
