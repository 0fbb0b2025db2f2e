from rest_framework.routers import SimpleRouter

from .api import RoundViewSet, WishViewSet

router = SimpleRouter()
router.register("wishes", WishViewSet, basename="api-wish")
router.register("wish-rounds", RoundViewSet, basename="api-wish-round")

urlpatterns = router.urls
