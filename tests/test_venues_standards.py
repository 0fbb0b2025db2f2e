"""Area standards (RULES §11): each community's positions against the standards that apply,
computed from the venues, the buildings' households and the units — never typed in."""

from decimal import Decimal

from gongjian.venues import rules, services


def _venue(user, org, area, **fields):
    values = {"name": f"{org.name}党群服务中心", "kind": "centre", "area": area}
    values.update(fields)
    return services.create_venue(user=user, org=org, **values)


def _row(rows, org):
    return next(r for r in rows if r["org"].pk == org.pk)


def test_each_community_is_checked_against_the_standards_that_apply(tree, users):
    _venue(users.community_a, tree.a, 1200)
    _venue(users.community_b, tree.b, 900)
    # A planned centre and a unit's shared room do not count for the community.
    _venue(users.community_b, tree.b, 800, name="在建中心", status="planned")
    services.create_venue(user=users.liaison_a, unit=tree.unit_a, name="鼎峰会议室",
                          kind="shared", area=500)
    rows = services.community_standards(tree.s)
    a, b = _row(rows, tree.a), _row(rows, tree.b)
    assert a["area"] == Decimal("1200") and a["shortfall"] == 0
    # 48 households in A's grid: 30 m² per 100 → 14.40 m².
    assert a["households"] == 48
    assert [(c["standard"]["key"], c["required"]) for c in a["checks"]] == [
        ("community", Decimal("1000")), ("households", Decimal("14.40"))]
    assert b["area"] == Decimal("900") and b["shortfall"] == Decimal("100")

    services.set_former_village(tree.b, user=users.street, former_village=True)
    b = _row(services.community_standards(tree.s), tree.b)
    assert b["former_village"] and b["shortfall"] == Decimal("700")
    assert {c["standard"]["key"]: c["shortfall"] for c in b["checks"]} == {
        "community": Decimal("100"), "former_village": Decimal("700")}


def test_per_hundred_companies_pro_rata_or_rounded_up(tree, users, settings):
    from gongjian.orgs.models import Unit

    for n in range(149):
        Unit.objects.create(code=f"NP{n:03d}", name=f"非公企业{n}", unit_type="private_company",
                            org=tree.b)
    _venue(users.street, tree.s, 400, name="街道党群服务中心")
    street = services.street_standards(tree.s)
    # 150 non-public companies (U-A among them): 300 m² per 100, pro rata → 450 m².
    assert street["companies"] == 150
    assert street["checks"][0]["required"] == Decimal("450.00")
    assert street["checks"][0]["shortfall"] == Decimal("50.00")
    settings.GONGJIAN_VENUES = {"per_hundred_rounding": "up"}
    street = services.street_standards(tree.s)
    assert street["checks"][0]["required"] == Decimal("600")
    assert street["checks"][0]["shortfall"] == Decimal("200")


def test_the_rule_sets_are_configurable(tree, users, settings):
    settings.GONGJIAN_VENUES = {"standards": [
        {"key": "community", "label": "每个社区", "basis": "community", "area": 1500}]}
    _venue(users.community_a, tree.a, 1200)
    a = _row(services.community_standards(tree.s), tree.a)
    assert [c["required"] for c in a["checks"]] == [Decimal("1500")]
    assert a["shortfall"] == Decimal("300")
    assert rules.standards()[0]["area"] == 1500


def test_the_standards_page_lists_the_shortfalls(tree, users, client):
    _venue(users.community_a, tree.a, 1200)
    client.force_login(users.street)
    page = client.get("/venues/standards/").content.decode()
    assert "金安社区党委" in page and "高林社区党委" in page
    assert "差 1000" in page  # B has no position at all
    client.force_login(users.community_b)
    page = client.get("/venues/standards/").content.decode()
    assert "高林社区党委" in page and "金安社区党委" not in page
