from django.urls import path

import lbc_office.core.converters  # noqa: F401 — registers <key:…>, the bounded record key
from programmes import views

app_name = "programmes"

urlpatterns = [
    # Contact with the child and the family (teachers of the school and officials).
    path("children/<key:pk>/visits/new/", views.visit_add, name="visit_add"),
    path("visits/follow-ups/", views.follow_ups, name="follow_ups"),
    path("visits/<key:visit_pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<key:visit_pk>/edit/", views.visit_edit, name="visit_edit"),
    path("children/<key:pk>/calls/new/", views.call_add, name="call_add"),
    path("calls/<key:call_pk>/edit/", views.call_edit, name="call_edit"),
    path("family-rooms/", views.room_list, name="room_list"),
    path("family-rooms/<key:room_pk>/session/", views.call_session, name="call_session"),
    path("children/<key:pk>/parent-visits/new/", views.parent_visit_add, name="parent_visit_add"),
    path("parent-visits/<key:visit_pk>/edit/", views.parent_visit_edit, name="parent_visit_edit"),
    path("contact-gaps/", views.contact_gaps, name="contact_gaps"),
    path("children/<key:pk>/received/", views.child_received, name="child_received"),
    # Programmes and enrolments (officials).
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_edit, name="programme_create"),
    path("programmes/<key:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<key:pk>/edit/", views.programme_edit, name="programme_edit"),
    path("programmes/<key:pk>/enrol/", views.programme_enrol, name="programme_enrol"),
    path("programmes/<key:pk>/sessions/new/", views.session_add, name="session_add"),
    path("children/<key:pk>/enrolments/new/", views.enrol_child, name="enrol_child"),
    path("enrolments/<key:enrolment_pk>/end/", views.enrolment_end, name="enrolment_end"),
    path(
        "sessions/<key:session_pk>/attendance/",
        views.session_attendance,
        name="session_attendance",
    ),
    # Donations (officials).
    path("donations/", views.donation_list, name="donation_list"),
    path("donations/new/", views.donation_edit, name="donation_create"),
    path("donations/<key:pk>/", views.donation_detail, name="donation_detail"),
    path("donations/<key:pk>/edit/", views.donation_edit, name="donation_edit"),
    path("donations/<key:pk>/handovers/new/", views.handover_add, name="handover_add"),
]
