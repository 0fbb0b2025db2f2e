from rest_framework.routers import SimpleRouter

from .api import ChecklistItemViewSet

router = SimpleRouter()
router.register("checklist-items", ChecklistItemViewSet, basename="api-checklist-item")

urlpatterns = router.urls
