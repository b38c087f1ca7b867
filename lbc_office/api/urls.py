"""The REST API at /api/v1/ (the roof: it spans every app)."""

from django.urls import path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)

from lbc_office import reports as report_tables
from lbc_office.api.views import care, children, contact, places, reports
from lbc_office.core.audit import shows_personal_data

app_name = "api"


def personal(view_class):
    """A view of children's personal data: declared for the audit (one VIEW event per answer)."""
    return shows_personal_data(view_class.as_view())


urlpatterns = [
    path("children/", personal(children.ChildList), name="child_list"),
    path("children/<key:pk>/", personal(children.ChildDetail), name="child_detail"),
    path("children/<key:pk>/home-visits/", personal(contact.HomeVisits), name="home_visits"),
    path("children/<key:pk>/family-calls/", personal(contact.FamilyCalls), name="family_calls"),
    path("children/<key:pk>/assignments/", personal(care.ChildAssignments), name="assignments"),
    path("checkins/", personal(care.Checkins), name="checkins"),
    path("carers/", care.CarerList.as_view(), name="carers"),
    path("schools/", places.SchoolList.as_view(), name="school_list"),
    path("schools/<key:pk>/", places.SchoolDetail.as_view(), name="school_detail"),
    path("towns/", places.TownList.as_view(), name="towns"),
    path("reports/", reports.ReportIndex.as_view(), name="reports"),
    # One pattern per table, as on the screens: a table is not a record (no key in the URL).
    *[
        path(f"reports/{slug}/", reports.ReportTable.as_view(slug=slug), name=f"report_{slug}")
        for slug in report_tables.TABLES
    ],
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
