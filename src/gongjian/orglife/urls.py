from .compliance_urls import urlpatterns as compliance_urlpatterns
from .meeting_urls import urlpatterns as meeting_urlpatterns

urlpatterns = meeting_urlpatterns + compliance_urlpatterns
