"""The register's rules, each named once (issue 17): "both parents away" is one rule for the
list filter, the counts (``both_parents_away_q`` in an aggregate) and one child's badge."""

from __future__ import annotations

import pytest
from django.db.models import Count

from registry.models import Child, both_parents_away_q
from tests.factories import ChildFactory

pytestmark = pytest.mark.django_db


def test_both_parents_away_is_one_rule_for_lists_counts_and_a_child():
    both = ChildFactory(father_away=True, mother_away=True)
    father = ChildFactory(father_away=True, mother_away=False)
    mother = ChildFactory(father_away=False, mother_away=True)
    listed = set(Child.objects.both_parents_away().values_list("pk", flat=True))
    assert listed == {both.pk}
    counted = Child.objects.aggregate(n=Count("pk", filter=both_parents_away_q()))["n"]
    assert counted == 1
    assert [c.both_parents_away for c in (both, father, mother)] == [True, False, False]
    # From another model: the prefix reaches the child.
    assert both_parents_away_q("child__") == both_parents_away_q().__class__(
        child__father_away=True, child__mother_away=True
    )
