from django.urls import path

from . import views

urlpatterns = [
    path("circle/", views.Coverage.as_view(), name="circle_coverage"),
    path("circle/points/<int:pk>/", views.PointCircle.as_view(), name="circle_point"),
    path("circle/networks/", views.Networks.as_view(), name="circle_networks"),
    path("circle/locations/import/", views.LocationsImport.as_view(),
         name="circle_locations_import"),
    path("circle/locations/template/", views.LocationsTemplate.as_view(),
         name="circle_locations_template"),
    path("circle/locations/errors/<int:pk>/", views.LocationsErrors.as_view(),
         name="circle_locations_errors"),
]
