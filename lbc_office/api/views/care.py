"""Carers (volunteers), their assignments, and the monthly check-ins."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from lbc_office.api import serializers
from lbc_office.api.views.common import Cursor, child_for, create_with_form, shown
from lbc_office.core.places import limit_to_county
from volunteers import forms
from volunteers.models import Assignment, MonthlyCheckin, Volunteer
from volunteers.services import care


class CarerList(generics.ListAPIView):
    """The volunteers (officials, as on the screens)."""

    serializer_class = serializers.CarerSerializer
    pagination_class = Cursor

    def get_queryset(self):
        if not self.request.user.is_official:
            raise PermissionDenied
        return limit_to_county(Volunteer.objects, self.request.user).select_related(
            "town", "organisation"
        )


class ChildAssignments(generics.ListAPIView):
    """A child's carers, past and present (with the child: 404 outside the scope)."""

    serializer_class = serializers.AssignmentSerializer
    pagination_class = Cursor

    def get_queryset(self):
        child = child_for(self.request, self.kwargs["pk"])
        return child.assignments.select_related("volunteer")


class Checkins(generics.ListAPIView):
    """Monthly check-ins: an official's all; a volunteer's own (of active assignments)."""

    serializer_class = serializers.CheckinSerializer
    pagination_class = Cursor

    def get_queryset(self):
        user = self.request.user
        qs = MonthlyCheckin.objects.select_related("assignment").prefetch_related("roles_done")
        if user.is_official:
            return qs.visible_to(user)
        if user.is_volunteer:
            return qs.filter(
                assignment__volunteer__user=user,
                assignment__volunteer__active=True,
                assignment__ended_on__isnull=True,
            ).visible_to(user)
        raise PermissionDenied

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        shown(request, [row["child"] for row in response.data["results"]])
        return response

    @extend_schema(request=serializers.CheckinSerializer)
    def post(self, request):
        """This month's check-in for one of the volunteer's own active assignments
        (``assignment``), as the check-in form takes it."""
        if not request.user.is_volunteer:
            raise PermissionDenied
        assignment = get_object_or_404(
            Assignment.objects.active()
            .select_related("child")
            .filter(volunteer__user=request.user, volunteer__active=True),
            pk=_key(request.data.get("assignment")),
        )
        shown(request, assignment.child_id)
        checkin = care.open_checkin(assignment=assignment)  # a POST: opening it is a write
        return create_with_form(
            request,
            scope=f"checkin:{checkin.pk}",
            form=forms.checkin_form_class(assignment)(request.data),
            operation=care.submit_checkin,
            serializer_class=self.serializer_class,
            checkin=checkin,
        )


def _key(value) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 19 else 0


__all__ = ["CarerList", "ChildAssignments", "Checkins", "child_for"]
