"""Referrals, the partner's screens and the partner organisations (namespace "referrals")."""

from django.urls import path

import lbc_office.core.converters  # noqa: F401 — registers <key:…>, the bounded record key
from casework import agency_views, partner_views, referral_views

app_name = "referrals"

urlpatterns = [
    path("casework/referrals/", referral_views.referral_list, name="list"),
    path("casework/referrals/<key:pk>/", referral_views.referral_detail, name="detail"),
    path("casework/concerns/<key:pk>/refer/", referral_views.refer_concern, name="refer_concern"),
    path("children/<key:pk>/refer/", referral_views.refer_child, name="refer_child"),
    path("casework/partner/", partner_views.partner_list, name="partner_list"),
    path("casework/partner/<key:pk>/", partner_views.partner_referral, name="partner_referral"),
    path("casework/agencies/", agency_views.agency_list, name="agencies"),
    path("casework/agencies/new/", agency_views.agency_edit, name="agency_create"),
    path("casework/agencies/<key:pk>/", agency_views.agency_edit, name="agency_edit"),
    path("casework/agencies/<key:pk>/active/", agency_views.agency_active, name="agency_active"),
]
