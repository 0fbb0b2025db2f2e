from .activity_api_urls import urlpatterns as activity_urlpatterns
from .stats_api_urls import urlpatterns as stats_urlpatterns
from .team_api_urls import urlpatterns as team_urlpatterns

urlpatterns = team_urlpatterns + activity_urlpatterns + stats_urlpatterns
