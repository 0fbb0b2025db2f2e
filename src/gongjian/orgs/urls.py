from django.urls import path

from gongjian.core.navigation import register

from . import views
from .models import Grid, GridRole, Organization, Unit

urlpatterns = [
    path("orgs/", views.OrgTree.as_view(), name="org_tree"),
    path("orgs/search/", views.OrgSearch.as_view(), name="org_search"),
    path("orgs/new/", views.OrgCreate.as_view(), name="org_create"),
    path("orgs/<str:code>/", views.OrgDetail.as_view(), name="org_detail"),
    path("orgs/<str:code>/children/", views.OrgChildren.as_view(), name="org_children"),
    path("orgs/<str:code>/edit/", views.OrgEdit.as_view(), name="org_edit"),
    path("orgs/<str:code>/move/", views.OrgMove.as_view(), name="org_move"),
    path("orgs/<str:code>/merge/", views.OrgMerge.as_view(), name="org_merge"),
    path("orgs/<str:code>/dissolve/", views.OrgDissolve.as_view(), name="org_dissolve"),
    path("grids/", views.GridList.as_view(), name="grid_list"),
    path("grids/new/", views.GridEdit.as_view(), name="grid_create"),
    path("grids/posts/<int:pk>/delete/", views.GridPostDelete.as_view(), name="gridpost_delete"),
    path("grids/<str:code>/", views.GridDetail.as_view(), name="grid_detail"),
    path("grids/<str:code>/edit/", views.GridEdit.as_view(), name="grid_edit"),
    path("grids/<str:code>/delete/", views.GridDelete.as_view(), name="grid_delete"),
    path("buildings/<int:pk>/edit/", views.BuildingEdit.as_view(), name="building_edit"),
    path("buildings/<int:pk>/delete/", views.BuildingDelete.as_view(), name="building_delete"),
    path("units/", views.UnitList.as_view(), name="unit_list"),
    path("units/new/", views.UnitEdit.as_view(), name="unit_create"),
    path("units/<str:code>/", views.UnitDetail.as_view(), name="unit_detail"),
    path("units/<str:code>/edit/", views.UnitEdit.as_view(), name="unit_edit"),
    path("units/<str:code>/delete/", views.UnitDelete.as_view(), name="unit_delete"),
    path("settings/grid-roles/", views.GridRoleList.as_view(), name="gridrole_list"),
]

register("组织体系", "org_tree", Organization, icon="bi-diagram-3", order=10, group="组织")
register("网格", "grid_list", Grid, icon="bi-grid-3x3", order=20, group="组织")
register("驻区单位", "unit_list", Unit, icon="bi-building", order=30, group="组织")
register("网格岗位", "gridrole_list", GridRole, icon="bi-person-badge", order=90,
         group="组织")
