from rest_framework.routers import SimpleRouter

from .api import VolunteerTeamViewSet

router = SimpleRouter()
router.register("volunteer-teams", VolunteerTeamViewSet, basename="api-volunteer-team")

urlpatterns = router.urls
