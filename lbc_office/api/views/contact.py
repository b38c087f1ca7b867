"""Home visits and family-room calls of one child: the list, and a new one."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import generics

from lbc_office.api import serializers
from lbc_office.api.views.common import (
    Cursor,
    child_for,
    create_with_form,
    require_staff,
)
from programmes import services
from programmes.forms import FamilyCallForm, HomeVisitForm


class _PerChild(generics.ListAPIView):
    """Visible with the child (404 outside the scope); for teachers and officials (403 else)."""

    pagination_class = Cursor

    def child(self):
        child = child_for(self.request, self.kwargs["pk"])
        require_staff(self.request)
        return child


class HomeVisits(_PerChild):
    serializer_class = serializers.HomeVisitSerializer

    def get_queryset(self):
        return self.child().home_visits.all()

    @extend_schema(request=serializers.HomeVisitSerializer)
    def post(self, request, pk):
        """Record a home visit by the token's user (a teacher of the child's school or an
        official), validated as the form validates it. Send ``Idempotency-Key`` to retry
        safely."""
        child = self.child()
        return create_with_form(
            request,
            scope=f"home-visit:{child.pk}",
            form=HomeVisitForm(request.data),
            operation=services.record_home_visit,
            serializer_class=self.serializer_class,
            child=child,
            visitor=request.user,
        )


class FamilyCalls(_PerChild):
    serializer_class = serializers.FamilyCallSerializer

    def get_queryset(self):
        return self.child().family_calls.all()

    @extend_schema(request=serializers.FamilyCallSerializer)
    def post(self, request, pk):
        """Record a call from a family room of the child's school (``room``: a school's
        ``family_rooms``)."""
        child = self.child()
        return create_with_form(
            request,
            scope=f"family-call:{child.pk}",
            form=FamilyCallForm(request.data, child=child),
            operation=services.record_family_call,
            serializer_class=self.serializer_class,
            child=child,
        )
