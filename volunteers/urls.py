from django.urls import path

import lbc_office.core.converters  # noqa: F401 — registers <key:…>, the bounded record key
from volunteers import my_views, sms_views, views

app_name = "volunteers"

urlpatterns = [
    path("volunteers/", views.volunteer_list, name="list"),
    path("volunteers/new/", views.volunteer_edit, name="create"),
    path("volunteers/<key:pk>/", views.volunteer_detail, name="detail"),
    path("volunteers/<key:pk>/edit/", views.volunteer_edit, name="edit"),
    path("volunteers/<key:pk>/assign/", views.assign_child, name="assign_child"),
    path("volunteers/without-carer/", views.without_carer, name="without_carer"),
    path("volunteers/organisations/", views.organisation_list, name="organisations"),
    path("volunteers/organisations/new/", views.organisation_edit, name="organisation_create"),
    path("volunteers/organisations/<key:pk>/", views.organisation_edit, name="organisation_edit"),
    path("volunteers/checkin-roles/", views.checkin_roles, name="checkin_roles"),
    path("volunteers/checkin-roles/new/", views.checkin_role_edit, name="checkin_role_create"),
    path("volunteers/checkin-roles/<key:pk>/", views.checkin_role_edit, name="checkin_role_edit"),
    path("volunteers/checkins/", views.checkins, name="checkins"),
    path("children/<key:pk>/carers/new/", views.assign_for_child, name="assign_for_child"),
    path("assignments/<key:pk>/end/", views.end_assignment, name="end_assignment"),
    path("my/", my_views.my_children, name="my_children"),
    path("my/checkins/<key:pk>/", my_views.my_checkin, name="my_checkin"),
    path("assignments/<key:pk>/checkin/", sms_views.checkin_for, name="checkin_for"),
    path("my/organisation/", sms_views.coordinated, name="coordinated"),
    path("sms/inbound/", sms_views.sms_inbound, name="sms_inbound"),
    path("volunteers/sms/", sms_views.sms_list, name="sms_list"),
    path("volunteers/sms/<key:pk>/handled/", sms_views.sms_handled, name="sms_handled"),
    path("inbox/", my_views.inbox, name="inbox"),
    path("inbox/read/", my_views.inbox_read, name="inbox_read_all"),
    path("inbox/<key:pk>/read/", my_views.inbox_read, name="inbox_read"),
]
