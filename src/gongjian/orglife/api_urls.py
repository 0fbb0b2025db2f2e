from .compliance_api_urls import urlpatterns as compliance_urlpatterns
from .meeting_api_urls import urlpatterns as meeting_urlpatterns

urlpatterns = meeting_urlpatterns + compliance_urlpatterns
