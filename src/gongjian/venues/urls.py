from django.urls import path

from . import views

urlpatterns = [
    path("venues/", views.VenueList.as_view(), name="venue_list"),
    path("venues/export/", views.VenueExport.as_view(), name="venue_export"),
    path("venues/new/", views.VenueEdit.as_view(), name="venue_create"),
    path("venues/standards/", views.Standards.as_view(), name="venue_standards"),
    path("venues/standards/<int:pk>/", views.FormerVillage.as_view(),
         name="venue_standards_community"),
    path("venues/<int:pk>/", views.VenueDetail.as_view(), name="venue_detail"),
    path("venues/<int:pk>/edit/", views.VenueEdit.as_view(), name="venue_edit"),
    path("venues/<int:pk>/calendar/", views.VenueCalendar.as_view(), name="venue_calendar"),
    path("venues/<int:pk>/rooms/add/", views.RoomAdd.as_view(), name="venue_room_add"),
    path("venues/<int:pk>/photos/add/", views.PhotoAdd.as_view(), name="venue_photo_add"),
    path("venues/<int:pk>/book/", views.BookingCreate.as_view(), name="venue_book"),
    path("venue-rooms/<int:pk>/edit/", views.RoomEdit.as_view(), name="venue_room_edit"),
    path("venue-rooms/<int:pk>/calendar/", views.RoomCalendar.as_view(),
         name="venue_room_calendar"),
    path("venue-photos/<int:pk>/", views.PhotoView.as_view(), name="venue_photo"),
    path("venue-photos/<int:pk>/delete/", views.PhotoDelete.as_view(), name="venue_photo_delete"),
    path("bookings/", views.BookingList.as_view(), name="booking_list"),
    path("bookings/<int:pk>/", views.BookingDetail.as_view(), name="booking_detail"),
    path("bookings/<int:pk>/<str:step>/", views.BookingStep.as_view(), name="booking_step"),
]
