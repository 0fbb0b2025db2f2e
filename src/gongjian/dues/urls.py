from django.urls import path

from . import import_views, views

urlpatterns = [
    path("dues/", views.Ledger.as_view(), name="dues_ledger"),
    path("dues/accounts/", views.AccountList.as_view(), name="dues_accounts"),
    path("dues/accounts/<int:pk>/", views.AccountDetail.as_view(), name="dues_account_detail"),
    path("dues/accounts/<int:pk>/pay/", views.Pay.as_view(), name="dues_pay"),
    path("dues/memberships/<int:pk>/base/", views.SetBase.as_view(), name="dues_base_set"),
    path("dues/arrears/", views.Arrears.as_view(), name="dues_arrears"),
    path("dues/arrears.xlsx", views.ArrearsExport.as_view(), name="dues_arrears_export"),
    path("dues/payments/", views.PaymentList.as_view(), name="dues_payments"),
    path("dues/payments/<int:pk>/receipt.docx", views.Receipt.as_view(), name="dues_receipt"),
    path("dues/remittances/new/", views.Remit.as_view(), name="dues_remit"),
    path("dues/bases/import/", import_views.BaseImport.as_view(), name="dues_base_import"),
    path("dues/bases/import/template/", import_views.BaseTemplate.as_view(),
         name="dues_base_template"),
    path("dues/bases/import/errors/<int:pk>/", import_views.ImportErrors.as_view(),
         name="dues_import_errors"),
]
