"""Schools (with their family rooms) and towns with their villages: reference data."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from rest_framework import generics

from lbc_office.api import serializers
from lbc_office.api.views.common import Cursor
from lbc_office.core.places import limit_to_county
from registry.models import FamilyRoom, School, Town


def _schools(user):
    return (
        School.objects.visible_to(user)
        .select_related("town")
        .prefetch_related(Prefetch("family_rooms", FamilyRoom.objects.order_by("kind", "pk")))
    )


class SchoolList(generics.ListAPIView):
    """The schools in the user's scope (all for officials; a teacher's own schools)."""

    serializer_class = serializers.SchoolSerializer
    pagination_class = Cursor

    def get_queryset(self):
        return _schools(self.request.user)


class SchoolDetail(generics.RetrieveAPIView):
    serializer_class = serializers.SchoolSerializer

    def get_object(self):
        return get_object_or_404(_schools(self.request.user), pk=self.kwargs["pk"])


class TownList(generics.ListAPIView):
    """Towns and their villages (officials, as on the screens)."""

    serializer_class = serializers.TownSerializer
    pagination_class = Cursor

    def get_queryset(self):
        if not self.request.user.is_official:
            raise PermissionDenied
        return limit_to_county(Town.objects, self.request.user).prefetch_related("villages")
