"""The words the offline app's script shows, translated on the server (the script has none of
its own): rendered into the shell with ``json_script``."""

from __future__ import annotations

from django.utils.translation import gettext as _


def app_texts() -> dict[str, str]:
    return {
        "waiting": _("Waiting to be sent"),
        "attention": _("Needs your attention"),
        "look_at_these": _(
            "The office could not accept some records: see why below, then change or discard them."
        ),
        "sent": _("Sent"),
        "sent_count": _("Sent to the office: %(count)s."),
        "saved_here": _("Saved on this phone. It is waiting to be sent."),
        "visit": _("Home visit"),
        "call": _("Family-room call"),
        "checkin": _("Monthly check-in"),
        "record_visit": _("Record a home visit"),
        "record_call": _("Record a family-room call"),
        "do_checkin": _("Fill in this month's check-in"),
        "done": _("Done this month"),
        "to_do": _("To do this month"),
        "grade": _("Grade %(grade)s"),
        "guardian": _("Guardian"),
        "last_visit": _("Last home visit"),
        "last_call": _("Last call"),
        "none_yet": _("none yet"),
        "not_shared": _(
            "The office cannot show you this child's file at the moment. Please contact the "
            "county office."
        ),
        "no_room": _("This school has no family phone or chat room in use."),
        "no_set": _("This phone keeps no children yet: open the app once while there is a signal."),
        "kept": _("This phone keeps %(count)s children until %(date)s."),
        "no_match": _("No child of yours has this name."),
        "discard": _("Discard"),
        "fix": _("Change and send again"),
        "confirm_discard": _("Discard this record? It will not be sent."),
        "confirm_clear": _(
            "Some records on this phone have not been sent. Clear them all the same?"
        ),
        "cleared": _("Everything this phone kept has been cleared."),
        "sign_in": _("Sign in again to send the records waiting on this phone."),
        "other_user": _(
            "Some records on this phone were made by another user: they are sent when that "
            "user signs in."
        ),
        "offline": _("No signal: what you record is kept on this phone and sent later."),
        "saved_at": _("recorded on this phone at %(time)s"),
    }
