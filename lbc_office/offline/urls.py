"""The offline app's URLs under /offline/ (the worker and the manifest are at the site root:
lbc_office/urls.py)."""

from django.urls import path

from lbc_office.offline import views

app_name = "offline"

urlpatterns = [
    path("", views.app, name="app"),
    path("working-set/", views.working_set_view, name="working_set"),
    path("sync/", views.sync_view, name="sync"),
]
