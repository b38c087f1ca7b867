"""Case plans' pages: under the child's file (``children/<key:pk>/plan/…``), and the list of
children at high or urgent risk with what is being done and by whom."""

from django.urls import path

import lbc_office.core.converters  # noqa: F401 — registers <key:…>, the bounded record key
from casework import plan_views as views

app_name = "plans"

urlpatterns = [
    path("casework/high-risk/", views.risk_list, name="risk_list"),
    path("children/<key:pk>/plan/", views.plan_detail, name="plan_detail"),
    path("children/<key:pk>/plan/open/", views.plan_open, name="plan_open"),
    path("children/<key:pk>/plan/actions/new/", views.action_edit, name="action_add"),
    path("children/<key:pk>/plan/actions/<key:action_pk>/", views.action_edit, name="action_edit"),
    path(
        "children/<key:pk>/plan/actions/<key:action_pk>/done/",
        views.action_done,
        name="action_done",
    ),
    path("children/<key:pk>/plan/review/", views.plan_review, name="plan_review"),
    path("children/<key:pk>/plan/close/", views.plan_close, name="plan_close"),
]
