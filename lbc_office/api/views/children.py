"""Children: the list with the screens' search and filters, and the detail."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.exceptions import ValidationError

from lbc_office.api import serializers
from lbc_office.api.views.common import ChildCursor, child_for, require_reader, shown
from registry import selectors
from registry.filters import ChildFilter, search_kind

FILTERS = [
    "q", "town", "school", "grade", "guardian", "both_parents_away", "boarding", "poor",
    "level", "attention", "school_town", "school_code", "status",
]  # fmt: skip


@extend_schema(
    parameters=[
        OpenApiParameter(name, str, description="as on the children list") for name in FILTERS
    ]
)
class ChildList(generics.ListAPIView):
    """The children in the user's scope, with the list screen's search (``q``: a name; an
    identity number — whole and valid only, for anyone but officials) and filters."""

    serializer_class = serializers.ChildListSerializer
    pagination_class = ChildCursor

    def get_queryset(self):
        require_reader(self.request)
        child_filter = ChildFilter(
            self.request.query_params,
            queryset=selectors.children_for_list(self.request.user),
            user=self.request.user,
        )
        if not child_filter.is_valid():
            raise ValidationError(
                {f: [str(m) for m in ms] for f, ms in child_filter.form.errors.items()}
            )
        self.search = search_kind(child_filter.data.get("q"))
        return child_filter.qs

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        shown(request, [row["id"] for row in response.data["results"]], search=self.search)
        return response


class ChildDetail(generics.RetrieveAPIView):
    serializer_class = serializers.ChildDetailSerializer

    def get_object(self):
        return child_for(self.request, self.kwargs["pk"])
