"""Matching demands and resources: each reason tips the order on its own, and the reasons
read as Chinese phrases."""

from decimal import Decimal

import pytest

from gongjian.orgs.models import Unit
from gongjian.projects import matching, services
from gongjian.projects.models import UnitRecord


@pytest.fixture
def demand(users, tree):
    return services.create_demand(
        user=users.resident, category="elderly", title="高龄老人上门理发",
        description="行动不便的高龄老人需要上门理发。", place="金安花园", beneficiaries=25)


def unit(tree, code, org, lng=None, lat=None):
    u = Unit(code=code, name=f"单位{code}", unit_type="private_company", org=org,
             lng=Decimal(lng) if lng else None, lat=Decimal(lat) if lat else None)
    u.full_clean()
    u.save()
    return u


def offer(users, u, title="上门理发", description="为老人上门理发", category="elderly",
          capacity=100):
    return services.create_resource(user=users.street, unit=u, category=category, title=title,
                                    description=description, capacity=capacity)


def order(users, demand):
    return [m.obj.title for m in matching.resources_for(users.street, demand)]


def test_same_category_first(users, tree, demand):
    u = unit(tree, "M-1", tree.a)
    offer(users, u, title="甲 理发", category="other")
    offer(users, u, title="乙 理发", category="elderly")
    assert order(users, demand) == ["乙 理发", "甲 理发"]


def test_shared_words_first(users, tree, demand):
    u = unit(tree, "M-1", tree.a)
    offer(users, u, title="陪伴聊天", description="志愿者陪伴独居老人")
    offer(users, u, title="上门理发", description="为老人上门理发")
    matches = matching.resources_for(users.street, demand)
    assert [m.obj.title for m in matches] == ["上门理发", "陪伴聊天"]
    assert "共同关键词：高龄" not in matches[0].reasons
    assert any(r.startswith("共同关键词：") and "理发" in r for r in matches[0].reasons)


def test_nearer_first(users, tree, demand):
    near = unit(tree, "M-NEAR", tree.a, "118.100000", "24.500000")
    far = unit(tree, "M-FAR", tree.b, "118.200000", "24.500000")
    offer(users, far, title="远处理发")
    offer(users, near, title="近处理发")
    matches = matching.resources_for(users.street, demand)
    assert [m.obj.title for m in matches] == ["近处理发", "远处理发"]
    assert "距离约0.0公里" in matches[0].reasons
    assert "距离约10.1公里" in matches[1].reasons


def test_more_capacity_first(users, tree, demand):
    u = unit(tree, "M-1", tree.a)
    offer(users, u, title="小容量理发", capacity=5)
    offer(users, u, title="大容量理发", capacity=30)
    matches = matching.resources_for(users.street, demand)
    assert [m.obj.title for m in matches] == ["大容量理发", "小容量理发"]
    assert "剩余容量30人次" in matches[0].reasons


def test_better_record_first(users, tree, demand):
    plain = unit(tree, "M-PLAIN", tree.a)
    proven = unit(tree, "M-PROVEN", tree.a)
    offer(users, plain, title="新单位理发")
    offer(users, proven, title="老单位理发")
    UnitRecord.objects.create(unit=proven, projects_done=3, rating_sum=14, rating_count=3)
    matches = matching.resources_for(users.street, demand)
    assert [m.obj.title for m in matches] == ["老单位理发", "新单位理发"]
    assert "已完成项目3个·平均评分4.7" in matches[0].reasons


def test_unrelated_and_exhausted_resources_are_not_suggested(users, tree, demand):
    u = unit(tree, "M-1", tree.a)
    offer(users, u, title="法律咨询", description="律师解答法律问题", category="legal")
    offer(users, u, title="停用的理发", capacity=0)
    assert order(users, demand) == []


def test_resource_to_demands(users, tree, demand, make_user):
    u = unit(tree, "M-1", tree.a)
    r = offer(users, u)
    other = services.create_demand(user=users.community_a, org=tree.a, category="culture",
                                   title="广场舞音响", description="需要一套音响设备",
                                   place="广场", beneficiaries=40)
    assert other.pk
    matches = matching.demands_for(users.street, r)
    assert [m.obj.pk for m in matches] == [demand.pk]
    assert matches[0].reasons[0] == "同类服务"


def test_matching_respects_scope(users, tree, demand, make_user):
    u_b = unit(tree, "M-B", tree.b)
    offer(users, u_b, title="高林理发")
    # community B's staff cannot see community A's demand to match it at all
    assert matching.demands_for(users.community_b, u_b.resources.get()) == []
    assert [m.obj for m in matching.demands_for(users.street, u_b.resources.get())] == [demand]
    # the street's resources are suggested to community A's staff too; not to a resident
    assert order(users, demand) == ["高林理发"]
    assert [m.obj.title for m in matching.resources_for(users.community_a, demand)] == [
        "高林理发"]
    assert matching.resources_for(users.resident, demand) == []


def test_matching_query_count_does_not_grow(users, tree, demand, django_assert_max_num_queries):
    for n in range(30):
        u = unit(tree, f"Q-{n}", tree.a if n % 2 else tree.b, f"118.{100 + n:03d}000",
                 "24.500000")
        offer(users, u, title=f"理发{n}")
    with django_assert_max_num_queries(8):
        assert len(matching.resources_for(users.street, demand)) == 20
