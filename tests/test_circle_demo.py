"""The demo's 15-minute circle: 金山桥 has its (drawn) road network and every building a
location; 怡园's centre covers its own estates along the streets; the other streets fall
back to the straight line × 1.3."""

from gongjian.circle import queries
from gongjian.circle.models import RoadNetwork
from gongjian.core.models import User
from gongjian.orgs.models import Building, Organization
from gongjian.venues.models import Venue


def test_demo_circle(demo):
    street = Organization.objects.get(code="XZ-JSQ")
    net = RoadNetwork.objects.get(org=street)
    assert "并非 OpenStreetMap" in net.source and net.nodes > 500
    assert not Building.objects.filter(lng__isnull=True).exists()
    user = User.objects.get(username="jinshanqiao")
    yiyuan = Venue.objects.get(name="怡园社区党群服务中心")
    assert (float(yiyuan.lng), float(yiyuan.lat)) == (117.265, 34.285)
    circle = queries.circle(user, yiyuan, 15)
    assert circle["method"] == "network"
    rows = {c["name"]: c for c in circle["communities"]}
    assert rows["怡园社区党委"]["share"] == 100.0
    assert rows["怡园社区党委"]["households"] > 0
    assert circle["households"] == sum(c["covered_households"] for c in rows.values())
    cover = queries.coverage(user, street, 15)
    assert 0 < cover["share"] < 100
    suggestion = queries.suggest(user, street, 15, 3, cover=cover)
    assert suggestion["sites"] and suggestion["sites"][-1]["share_after"] > cover["share"]
    other = Organization.objects.get(code="XM-JS")
    assert queries.coverage(User.objects.get(username="jinshan"), other, 15)["method"] \
        == "straight"
