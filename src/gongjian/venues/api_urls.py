from rest_framework.routers import SimpleRouter

from .api import BookingViewSet, VenueViewSet

router = SimpleRouter()
router.register("venues", VenueViewSet, basename="api-venue")
router.register("bookings", BookingViewSet, basename="api-booking")

urlpatterns = router.urls
