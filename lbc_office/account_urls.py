"""The officials' account screens (roof)."""

from django.urls import path

from lbc_office import account_views as views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/role/", views.account_role, name="role"),
    path("<int:pk>/active/", views.account_active, name="active"),
    path("<int:pk>/schools/", views.account_schools, name="schools"),
    path("<int:pk>/password/", views.account_password, name="password"),
    path("<int:pk>/second-factor/", views.account_second_factor, name="second_factor"),
]
