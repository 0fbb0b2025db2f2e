from rest_framework.routers import SimpleRouter

from .api import DuesArrearsViewSet, DuesCalcViewSet, DuesLedgerViewSet, DuesPaymentViewSet

router = SimpleRouter()
router.register("dues/calc", DuesCalcViewSet, basename="api-dues-calc")
router.register("dues/ledger", DuesLedgerViewSet, basename="api-dues-ledger")
router.register("dues/payments", DuesPaymentViewSet, basename="api-dues-payment")
router.register("dues/arrears", DuesArrearsViewSet, basename="api-dues-arrears")

urlpatterns = router.urls
