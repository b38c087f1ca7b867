"""Tracing a donation to its final recipients: the arithmetic, "open" donations, and the two
pages that answer "where did this donation end up?" and "what has this child received?"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programmes import selectors, services
from programmes.models import Donation, Handover
from tests.factories import ChildFactory
from tests.programmes.factories import (
    DonationFactory,
    EnrolmentFactory,
    HandoverFactory,
    ProgrammeFactory,
    days_ago,
)

pytestmark = pytest.mark.django_db


def _hand(donation, by, *, children=(), schools=(), value):
    return services.record_handovers(
        donation=donation,
        children=children,
        schools=schools,
        value_each=Decimal(value),
        handed_over_on=days_ago(1),
        confirmed_by="班主任 向老师",
        by=by,
    )


def _traced(donation) -> tuple[Decimal, Decimal, int]:
    row = Donation.objects.with_traced().get(pk=donation.pk)
    return row.traced, row.untraced, row.recipients


def test_handovers_add_up_to_the_traced_value(personas):
    donation = DonationFactory(value=Decimal("1000.00"))
    assert _traced(donation) == (Decimal("0"), Decimal("1000.00"), 0)
    _hand(donation, personas.official, children=[personas.child_a, personas.child_b], value="250")
    assert _traced(donation) == (Decimal("500.00"), Decimal("500.00"), 2)
    _hand(donation, personas.official, children=[personas.child_a], value="499.99")
    assert _traced(donation) == (Decimal("999.99"), Decimal("0.01"), 3)


def test_exactly_the_whole_value_may_be_traced_but_not_one_fen_more(personas):
    donation = DonationFactory(value=Decimal("100.00"))
    _hand(donation, personas.official, children=[personas.child_a], value="60")
    with pytest.raises(ValidationError):
        _hand(donation, personas.official, children=[personas.child_b], value="40.01")
    _hand(donation, personas.official, children=[personas.child_b], value="40.00")
    assert _traced(donation)[1] == Decimal("0.00")
    with pytest.raises(ValidationError):
        _hand(donation, personas.official, children=[personas.child_b], value="0.01")
    assert donation.handovers.count() == 2


def test_a_donation_stays_open_until_fully_traced(personas):
    full = DonationFactory(donor="全部", value=Decimal("200"))
    part = DonationFactory(donor="部分", value=Decimal("200"))
    untouched = DonationFactory(donor="未发", value=Decimal("200"))
    _hand(full, personas.official, children=[personas.child_a, personas.child_b], value="100")
    _hand(part, personas.official, children=[personas.child_a], value="100")
    open_donors = {d.donor for d in selectors.donations_for_list(open_only=True)}
    assert open_donors == {"部分", "未发"}
    assert untouched in selectors.donations_for_list()
    page = personas.client_for("official").get(reverse("programmes:donation_list"), {"open": "1"})
    assert {d.donor for d in page.context["page"]} == {"部分", "未发"}


def test_many_recipients_of_a_school_donation_and_the_school_itself(personas):
    donation = DonationFactory(
        destination="school", school=personas.school_a, value=Decimal("2500"), kind="books"
    )
    pupils = ChildFactory.create_batch(4, school=personas.school_a)
    _hand(donation, personas.official, children=pupils, value="300")
    _hand(donation, personas.official, schools=[personas.school_a], value="1300")
    assert _traced(donation) == (Decimal("2500.00"), Decimal("0.00"), 5)
    assert Handover.objects.filter(donation=donation, school=personas.school_a).count() == 1


def test_where_did_this_donation_end_up(personas):
    donation = DonationFactory(donor="巫溪爱心企业", value=Decimal("600"))
    _hand(donation, personas.official, children=[personas.child_a, personas.child_b], value="200")
    client = personas.client_for("official")
    page = client.get(reverse("programmes:donation_detail", args=[donation.pk]))
    handovers = list(page.context["page"])
    assert {h.child.name for h in handovers} == {"张小明", "李小红"}
    assert page.context["donation"].untraced == Decimal("200.00")
    html = page.content.decode()
    assert "张小明" in html
    assert "班主任 向老师" in html


def test_what_has_this_child_received(personas):
    programme = ProgrammeFactory(name="蛋奶工程")
    EnrolmentFactory(programme=programme, child=personas.child_a)
    HandoverFactory(child=personas.child_a, value=Decimal("120"), donation__donor="甲公司")
    HandoverFactory(child=personas.child_a, value=Decimal("30.5"), donation__donor="乙基金会")
    HandoverFactory(child=personas.child_b, value=Decimal("999"))
    for role in ("official", "teacher_a"):
        page = personas.client_for(role).get(
            reverse("programmes:child_received", args=[personas.child_a.pk])
        )
        assert page.context["total"] == Decimal("150.50")
        assert {h.donation.donor for h in page.context["handovers"]} == {"甲公司", "乙基金会"}
        assert [e.programme.name for e in page.context["enrolments"]] == ["蛋奶工程"]


def test_a_handover_page_offers_only_children_who_fit(personas):
    programme = ProgrammeFactory(schools=[personas.school_a])
    donation = DonationFactory(destination="programme", programme=programme)
    enrolled = ChildFactory(school=personas.school_a, name="已报名")
    ChildFactory(school=personas.school_a, name="未报名")
    EnrolmentFactory(programme=programme, child=enrolled)
    client = personas.client_for("official")
    url = reverse("programmes:handover_add", args=[donation.pk])
    page = client.get(url, {"school": personas.school_a.pk})
    labels = [label for _value, label in page.context["form"].fields["recipients"].choices]
    assert any("已报名" in str(label) for label in labels)
    assert not any("未报名" in str(label) for label in labels)
    response = client.post(
        f"{url}?school={personas.school_a.pk}",
        {
            "recipients": [enrolled.pk],
            "value": "80",
            "handed_over_on": days_ago(1).isoformat(),
            "confirmed_by": "家长",
            "items": "牛奶一箱",
        },
    )
    assert response.status_code == 302
    handover = donation.handovers.get()
    assert (handover.child, handover.value, handover.items) == (enrolled, Decimal("80"), "牛奶一箱")
    assert handover.created_by == personas.official
    assert handover.county == donation.county


def test_handovers_keep_their_history(personas):
    donation = DonationFactory()
    [handover] = _hand(donation, personas.official, children=[personas.child_a], value="10")
    assert handover.history.get().history_user == personas.official


def test_thirds_of_a_donation_close_it_exactly(personas):
    """SQLite sums decimals as floats: 33.33 + 33.33 + 33.34 must still make 100.00."""
    donation = DonationFactory(value=Decimal("100.00"))
    third = ChildFactory(school=personas.school_a)
    _hand(donation, personas.official, children=[personas.child_a, personas.child_b], value="33.33")
    _hand(donation, personas.official, children=[third], value="33.34")
    assert _traced(donation) == (Decimal("100.00"), Decimal("0.00"), 3)
    assert donation not in selectors.donations_for_list(open_only=True)
    with pytest.raises(ValidationError):
        _hand(donation, personas.official, children=[third], value="0.01")
