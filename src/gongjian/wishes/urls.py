from django.urls import path

from . import views

urlpatterns = [
    path("wishes/", views.WishHome.as_view(), name="wish_home"),
    path("wishes/all/", views.WishList.as_view(), name="wish_list"),
    path("wishes/review/", views.WishReview.as_view(), name="wish_review"),
    path("wishes/new/", views.WishCreate.as_view(), name="wish_create"),
    path("wishes/<int:pk>/", views.WishDetail.as_view(), name="wish_detail"),
    path("wishes/<int:pk>/reveal/", views.WishReveal.as_view(), name="wish_reveal"),
    # The steps of services.WORKFLOW, one view; each keeps its own URL name.
    path("wishes/<int:pk>/publish/", views.WishStep.as_view(), {"step": "publish"},
         name="wish_publish"),
    path("wishes/<int:pk>/reject/", views.WishStep.as_view(), {"step": "reject"},
         name="wish_reject"),
    path("wishes/<int:pk>/withdraw/", views.WishStep.as_view(), {"step": "withdraw"},
         name="wish_withdraw"),
    path("wishes/<int:pk>/claim/", views.WishStep.as_view(), {"step": "claim"},
         name="wish_claim"),
    path("wishes/<int:pk>/release/", views.WishStep.as_view(), {"step": "release"},
         name="wish_release"),
    path("wishes/<int:pk>/fulfil/", views.WishStep.as_view(), {"step": "fulfil"},
         name="wish_fulfil"),
    path("wishes/<int:pk>/confirm/", views.WishStep.as_view(), {"step": "confirm"},
         name="wish_confirm"),
    path("wishes/<int:pk>/thank/", views.WishStep.as_view(), {"step": "thank"},
         name="wish_thank"),
    path("wishes/<int:pk>/photo/", views.WishPhoto.as_view(), name="wish_photo"),
    path("wishes/rounds/", views.RoundList.as_view(), name="round_list"),
    path("wishes/rounds/new/", views.RoundCreate.as_view(), name="round_create"),
    path("wishes/rounds/<int:pk>/", views.RoundDetail.as_view(), name="round_detail"),
    path("wishes/rounds/<int:pk>/edit/", views.RoundEdit.as_view(), name="round_edit"),
]
