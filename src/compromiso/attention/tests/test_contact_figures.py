"""Service level by its five conventions on the worked example, and the contact figures from
hand-made contacts and contact-centre intervals."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from compromiso.attention.contact_figures import (
    Counts,
    contact_figures,
    percent,
    service_level,
)
from compromiso.attention.models import Contact, ContactInterval, ContactKind, ContactOutcome

SANTIAGO = ZoneInfo("America/Santiago")


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages read in English here; one test checks a reason in Spanish."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    translation.activate("en")


EXAMPLE = {"answered": 1000, "abandoned": 60, "answered_within": 860, "abandoned_within": 20}


@pytest.mark.parametrize(
    ("convention", "expected"),
    [(1, "83"), (2, "86"), (3, "81"), (4, "83")],
)
def test_the_five_service_level_conventions_on_the_worked_example(convention, expected):
    """1000 answered, 60 abandoned, 860 answered within 20 s, 20 abandoned within 20 s."""
    share = service_level(convention, **EXAMPLE)
    assert share is not None
    assert f"{share * 100:.0f}" == expected


def test_the_fifth_convention_credits_only_short_abandons():
    # 10 of the 20 early abandons were under 5 s: (860 + 10) / 1060 = 82.08 %.
    share = service_level(5, **EXAMPLE, short_abandoned=10)
    assert percent(share) == Decimal("82.1")
    assert service_level(1, **EXAMPLE) == Decimal(880) / Decimal(1060)
    assert service_level(4, **EXAMPLE) == Decimal(860) / Decimal(1040)


def test_nothing_to_divide_gives_no_service_level():
    assert service_level(3, answered=0, abandoned=0, answered_within=0, abandoned_within=0) is None
    assert Counts().service_level() is None
    assert Counts().average_speed_of_answer is None
    assert Counts().abandonment is None


def _at(day, hour, minute=0):
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=SANTIAGO)


def _contact(organization, started_at, **fields):
    fields.setdefault("kind", ContactKind.PHONE)
    fields.setdefault("outcome", ContactOutcome.RESOLVED)
    return Contact.objects.create(organization=organization, started_at=started_at, **fields)


def test_figures_from_contacts_and_intervals_per_channel_and_day(organization, other_organization):
    # Phone on 2 Nov: answered in 10 s (resolved first), 30 s (not resolved), abandoned at 3 s
    # (short) and at 40 s; a chat with no time to answer; 23:30 local on 3 Nov is 3 Nov.
    _contact(
        organization, _at(2, 9), wait_seconds=10, handle_seconds=100, first_contact_resolution=True
    )
    _contact(
        organization,
        _at(2, 10),
        wait_seconds=30,
        handle_seconds=200,
        outcome=ContactOutcome.ANSWERED,
        first_contact_resolution=False,
    )
    _contact(organization, _at(2, 11), wait_seconds=3, outcome=ContactOutcome.ABANDONED)
    _contact(organization, _at(2, 12), wait_seconds=40, outcome=ContactOutcome.ABANDONED)
    _contact(organization, _at(3, 23, 30), kind=ContactKind.CHAT, handle_seconds=300)
    # Outside the period, or another organisation's: not counted.
    _contact(organization, _at(5, 9), wait_seconds=1)
    _contact(other_organization, _at(2, 9), wait_seconds=1)
    ContactInterval.objects.create(
        organization=organization,
        line="101",
        starts_at=_at(3, 9),
        offered=100,
        answered=90,
        answered_within=72,
        abandoned=10,
        abandoned_within=6,
        short_abandoned=2,
        answer_seconds=1800,
        handle_seconds=18000,
        resolved_first_contact=60,
    )

    figures = contact_figures(organization, dt.date(2026, 11, 2), dt.date(2026, 11, 3))

    groups = {row.label: row.counts for row in figures.groups}
    phone = groups["Phone call"]
    assert (phone.offered, phone.answered, phone.abandoned, phone.short_abandoned) == (4, 2, 2, 1)
    # Convention 3, short abandons left out: 1 answered within 20 s / (2 answered + 1 abandoned)
    assert percent(phone.service_level()) == Decimal("33.3")
    assert phone.average_speed_of_answer == Decimal("20.0")  # (10 + 30) / 2
    assert percent(phone.abandonment) == Decimal("33.3")  # 1 / (2 + 1)
    assert percent(phone.first_contact_resolution) == Decimal("50.0")
    assert phone.average_handling_time == Decimal("150.0")
    chat = groups["Web chat"]
    assert chat.offered == 1
    assert chat.service_level() is None
    line = groups["Contact centre · 101"]
    # 72 / (90 + 10 - 2) = 73.5 %; ASA 1800 / 90 = 20 s; abandonment 8 / 98; FCR 60 / 90
    assert percent(line.service_level()) == Decimal("73.5")
    assert line.average_speed_of_answer == Decimal("20.0")
    assert percent(line.abandonment) == Decimal("8.2")
    assert percent(line.first_contact_resolution) == Decimal("66.7")
    assert percent(line.service_level(2)) == Decimal("80.0")  # 72 / 90

    days = {row.label: row.counts.offered for row in figures.days}
    assert days == {"2026-11-02": 4, "2026-11-03": 101}
    assert figures.total.offered == 105


def test_an_empty_period_has_no_data_not_zero(organization):
    figures = contact_figures(organization, dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert figures.empty
    assert figures.groups == []
    assert figures.days == []
    assert figures.total.service_level() is None


def test_untimed_answers_have_no_service_level():
    """Self-service sessions and e-mails are answered but never timed: their service level is
    no data, not 0 %."""
    from compromiso.attention.contact_figures import Counts

    counts = Counts(offered=50, answered=45, abandoned=5, answered_timed=0)
    assert counts.service_level() is None
