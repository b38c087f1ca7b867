from django.urls import path

from casework import views

app_name = "casework"

urlpatterns = [
    path("casework/concerns/", views.concern_list, name="concern_list"),
    path("casework/concerns/<key:pk>/", views.concern_detail, name="concern_detail"),
    path("casework/concerns/<key:pk>/triage/", views.concern_triage, name="concern_triage"),
    path("casework/concerns/<key:pk>/action/", views.concern_action, name="concern_action"),
    path("casework/concerns/<key:pk>/close/", views.concern_close, name="concern_close"),
    path("casework/concerns/<key:pk>/reopen/", views.concern_reopen, name="concern_reopen"),
    path("children/<key:pk>/concerns/new/", views.concern_add, name="concern_add"),
]
