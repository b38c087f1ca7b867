"""Factories for casework's records (concerns). Kept here, beside the tests, so that the other
casework branches' factories do not meet this one in tests/factories.py."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from casework.models import Concern
from lbc_office.core.models import Role
from tests.factories import ChildFactory, UserFactory


class ConcernFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Concern

    child = factory.SubFactory(ChildFactory)
    county = factory.SelfAttribute("child.county")
    kind = Concern.Kind.NEGLECT
    source = Concern.Source.SCHOOL
    severity = "medium"
    description = "孩子连续三天没吃早饭"
    raised_by = factory.SubFactory(UserFactory, role=Role.TEACHER)
    raised_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyAttribute(lambda o: o.raised_at + datetime.timedelta(days=2))
