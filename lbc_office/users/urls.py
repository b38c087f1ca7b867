"""The officials' account screens (roof)."""

from django.urls import path

import lbc_office.core.converters  # noqa: F401 — registers <key:…>, the bounded record key
from lbc_office.users import views as views

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("<key:pk>/", views.account_detail, name="detail"),
    path("<key:pk>/role/", views.account_role, name="role"),
    path("<key:pk>/active/", views.account_active, name="active"),
    path("<key:pk>/county/", views.account_county, name="county"),
    path("<key:pk>/schools/", views.account_schools, name="schools"),
    path("<key:pk>/agency/", views.account_agency, name="agency"),
    path("<key:pk>/password/", views.account_password, name="password"),
    path("<key:pk>/second-factor/", views.account_second_factor, name="second_factor"),
]
