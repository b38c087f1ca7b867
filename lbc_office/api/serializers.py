"""What the API returns: read-only shapes of the records, identity numbers through ``shown_to``.

Writes do not go through serializers: the forms of the screens validate the posted fields (the
same messages) and the services save (see ``views.common.create_with_form``).
"""

from __future__ import annotations

from rest_framework import serializers

from programmes.models import FamilyCall, HomeVisit
from registry.idnumber import shown_to
from registry.models import Child, FamilyRoom, School, Town
from volunteers.models import Assignment, MonthlyCheckin, Volunteer


class IdNumberField(serializers.CharField):
    """Whole for officials, masked for everyone else: the screens' one rule."""

    def to_representation(self, value):
        return shown_to(self.context["request"].user, value)


class ChildListSerializer(serializers.ModelSerializer):
    id_number = IdNumberField(read_only=True)
    school = serializers.IntegerField(source="school_id", read_only=True)
    school_name = serializers.CharField(source="school.name", read_only=True)
    town = serializers.CharField(source="village.town.name", read_only=True, default=None)

    class Meta:
        model = Child
        fields = [
            "id", "name", "sex", "date_of_birth", "id_number", "school", "school_name", "grade",
            "town", "guardian", "father_away", "mother_away", "boarding", "poor", "status",
            "last_parent_contact_on",
        ]  # fmt: skip


class ChildDetailSerializer(ChildListSerializer):
    village = serializers.CharField(source="village.name", read_only=True, default=None)

    class Meta(ChildListSerializer.Meta):
        fields = [
            *ChildListSerializer.Meta.fields, "village", "remaining_parent_unable",
            "status_changed_on",
        ]  # fmt: skip


class FamilyRoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyRoom
        fields = ["id", "kind", "label", "active"]


class SchoolSerializer(serializers.ModelSerializer):
    town = serializers.CharField(source="town.name", read_only=True)
    family_rooms = FamilyRoomSerializer(many=True, read_only=True)

    class Meta:
        model = School
        fields = ["id", "code", "name", "level", "town", "boarding", "active", "family_rooms"]


class TownSerializer(serializers.ModelSerializer):
    villages = serializers.SerializerMethodField()

    class Meta:
        model = Town
        fields = ["id", "name", "kind", "villages"]

    def get_villages(self, town) -> list[dict]:
        return [{"id": v.pk, "name": v.name} for v in town.villages.all()]


class HomeVisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = HomeVisit
        fields = [
            "id", "child", "date", "met", "visitor", "guardian_health", "guardian_supervision",
            "guardian_homework", "guardian_situation", "community", "education", "safety",
            "behaviour", "physical_health", "mental_health", "child_said", "follow_up_needed",
            "follow_up_by", "follow_up_note",
        ]  # fmt: skip


class FamilyCallSerializer(serializers.ModelSerializer):
    class Meta:
        model = FamilyCall
        fields = ["id", "child", "room", "at", "with_whom", "minutes", "notes"]


class CheckinSerializer(serializers.ModelSerializer):
    child = serializers.IntegerField(source="assignment.child_id", read_only=True)
    roles_done = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = MonthlyCheckin
        fields = [
            "id", "assignment", "child", "month", "status", "contact", "roles_done", "notes",
            "concern", "submitted_at",
        ]  # fmt: skip


class AssignmentSerializer(serializers.ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "child", "volunteer", "volunteer_name", "role", "started_on", "ended_on"]


class CarerSerializer(serializers.ModelSerializer):
    town = serializers.CharField(source="town.name", read_only=True, default=None)
    organisation = serializers.CharField(source="organisation.name", read_only=True, default=None)

    class Meta:
        model = Volunteer
        fields = [
            "id", "name", "town", "organisation", "may_be_foster_mother", "may_be_foster_sibling",
            "may_be_surrogate_parent", "capacity", "active",
        ]  # fmt: skip
