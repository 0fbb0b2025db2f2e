from .activity_urls import urlpatterns as activity_urlpatterns
from .import_urls import urlpatterns as import_urlpatterns
from .record_urls import urlpatterns as record_urlpatterns
from .stats_urls import urlpatterns as stats_urlpatterns
from .team_urls import urlpatterns as team_urlpatterns

urlpatterns = (team_urlpatterns + activity_urlpatterns + record_urlpatterns
               + import_urlpatterns + stats_urlpatterns)
