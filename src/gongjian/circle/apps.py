from gongjian.core import capabilities


class CircleConfig(capabilities.Capability):
    name = "gongjian.circle"
    label = "circle"
    verbose_name = "15分钟服务圈"
    # After the venues' demo (90): the circle is drawn around its service points.
    demo_order = 95

    def ready(self):
        from gongjian.core import navigation
        from gongjian.core.access import extend_role_permissions, perms
        from gongjian.orgs.models import Building
        from gongjian.orgs.services import register_merge_label

        from .models import RoadNetwork

        # Street and community staff read the circles and the coverage of their reach (the
        # buildings and units they may view); the street uploads its road network.
        extend_role_permissions({
            "street_staff": perms("circle", "roadnetwork", "view", "add"),
            "community_staff": perms("circle", "roadnetwork", "view"),
        })
        navigation.register("15分钟服务圈", "circle_coverage", RoadNetwork, icon="bi-bullseye",
                            order=73, group="服务")
        navigation.register("楼栋与单位位置导入", "circle_locations_import", Building,
                            action="change", icon="bi-pin-map", order=74, group="服务")
        register_merge_label("circle.roadnetwork.org", "个路网")
