from django.urls import path

from . import views

urlpatterns = [
    path("wishes/", views.WishHome.as_view(), name="wish_home"),
    path("wishes/all/", views.WishList.as_view(), name="wish_list"),
    path("wishes/review/", views.WishReview.as_view(), name="wish_review"),
    path("wishes/new/", views.WishCreate.as_view(), name="wish_create"),
    path("wishes/<int:pk>/", views.WishDetail.as_view(), name="wish_detail"),
    path("wishes/<int:pk>/reveal/", views.WishReveal.as_view(), name="wish_reveal"),
    path("wishes/<int:pk>/publish/", views.WishPublish.as_view(), name="wish_publish"),
    path("wishes/<int:pk>/reject/", views.WishReject.as_view(), name="wish_reject"),
    path("wishes/<int:pk>/withdraw/", views.WishWithdraw.as_view(), name="wish_withdraw"),
    path("wishes/<int:pk>/claim/", views.WishClaim.as_view(), name="wish_claim"),
    path("wishes/<int:pk>/release/", views.WishRelease.as_view(), name="wish_release"),
    path("wishes/<int:pk>/fulfil/", views.WishFulfil.as_view(), name="wish_fulfil"),
    path("wishes/<int:pk>/confirm/", views.WishConfirm.as_view(), name="wish_confirm"),
    path("wishes/<int:pk>/thank/", views.WishThank.as_view(), name="wish_thank"),
    path("wishes/<int:pk>/photo/", views.WishPhoto.as_view(), name="wish_photo"),
    path("wishes/rounds/", views.RoundList.as_view(), name="round_list"),
    path("wishes/rounds/new/", views.RoundCreate.as_view(), name="round_create"),
    path("wishes/rounds/<int:pk>/", views.RoundDetail.as_view(), name="round_detail"),
    path("wishes/rounds/<int:pk>/edit/", views.RoundEdit.as_view(), name="round_edit"),
]
