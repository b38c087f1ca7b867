"""What the volunteers app gives the register, written in the volunteers' own schema and
registered from ``VolunteersConfig.ready()``: which children a volunteer may see
(``registry.access.register_child_scope``) and the "needs attention" lists of the children's
list (``registry.filters.register_attention``). The register holds no path into this app."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from lbc_office.core.models import Role
from registry import access, filters
from registry.models import Child, sharing_stands
from volunteers.models import Assignment


def children_of_volunteer(user):
    """The keys of the children ``user`` may see as a volunteer (registry/access.py, notes
    (1)-(3)): an active assignment to them, their ``Volunteer`` record active (an official who
    marks them inactive ends their access on the next request), and the guardian's consent to
    share the file standing (``sharing_stands``)."""
    return (
        Child.objects.filter(
            assignments__volunteer__user=user,
            assignments__volunteer__active=True,
            assignments__ended_on__isnull=True,
        )
        .filter(sharing_stands())
        .values("pk")
    )


def without_carer(children):
    active = Assignment.objects.filter(child=OuterRef("pk"), ended_on__isnull=True)
    return children.filter(~Exists(active))


def register() -> None:
    access.register_child_scope(Role.VOLUNTEER, children_of_volunteer)
    filters.register_attention(filters.Attention("no_carer", _("No carer"), without_carer))
