"""Setting a child's risk level: officials and the child's teachers (registry.risk)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lbc_office.core import audit
from lbc_office.core.forms import record_on_file
from registry import risk
from registry.forms import RiskLevelForm
from registry.selectors import get_child_for_user


@audit.shows_personal_data
def child_risk(request, pk):
    child = get_child_for_user(request, pk, edit=True)
    return record_on_file(
        request,
        child,
        RiskLevelForm(request.POST or None, child=child),
        risk.set_risk_level,
        template="registry/record_form.html",
        title=_("Risk level of %(name)s") % {"name": child.name},
        success=_("The risk level was set."),
        child=child,
    )
