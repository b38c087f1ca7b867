"""The admin audited like the app's own pages (ground floor): its views of children's records
(``ShowsChildrenAdmin``) and its saves, which go through the apps' services (``ServiceAdmin``).

Kept apart from ``admin_site`` (which the app registry imports before models are ready).
"""

from lbc_office.core import audit


class ShowsChildrenAdmin:
    """Mixin for the admin of a record that shows a child's personal data (the child, or a record
    of theirs): its list, its page and its history write the VIEW event naming the children shown,
    as the app's own pages do (``lbc_office.core.audit``). Officials only reach the admin; what they
    see there is audited all the same. ``tests/lbc_office/test_audit_views.py`` fails on an admin
    of such a record that does not use this mixin."""

    child_field = "child_id"  # the path from the record to its child's key ("pk" for a child)

    def child_of(self, obj):
        value = obj
        for part in self.child_field.split("."):
            value = getattr(value, part, None)
        return value

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:  # the rows of this page (the template reuses them: no query)
            audit.shown(
                request,
                [self.child_of(obj) for obj in changelist.result_list],
                search=audit.SEARCH_NAME if changelist.query else "",
            )
        return response

    def _shown_record(self, request, response):
        context = getattr(response, "context_data", None) or {}
        obj = context.get("original") or context.get("object")
        if obj is not None:
            audit.shown(request, self.child_of(obj))
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._shown_record(request, response)

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._shown_record(request, response)

    def render_history_view(self, request, template, context, **kwargs):
        # simple_history's history list and its page of one past version render through here
        obj = context.get("original") or context.get("object")
        if obj is not None:
            audit.shown(request, self.child_of(obj))
        return super().render_history_view(request, template, context, **kwargs)


class ServiceAdmin:
    """Mixin for an admin whose saves go through the app's audited service, as the app's own
    screens do: ``save_record(request, obj)`` calls it with the record the form has filled in
    (the service validates, stamps the author, keeps the history and writes the audit row).
    Inlines listed in ``service_inlines`` ({model: save function}) are saved the same way.
    Nothing is deleted here: records are retired (``active``), never removed."""

    service_inlines: dict = {}

    def save_record(self, request, obj):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        self.save_record(request, obj)

    def save_formset(self, request, form, formset, change):
        save = self.service_inlines[formset.model]
        # commit=False fills in the parent and what changed (for the admin's own log), saves
        # nothing; each record is then saved by the service.
        for instance in formset.save(commit=False):
            save(request, instance)

    def has_delete_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        raise PermissionError("records are retired, never deleted")
