"""A citizen and a branch queue: the kiosk (its secret key, its choices, hostile input, its
limit), joining from the web (only while open, a honeypot, a limit), the ticket's page (figures
checked by hand, leaving) and what follows a visit (the survey invitation, once, and the
complaint linked to the visit)."""

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from compromiso.attention import services
from compromiso.attention.models import (
    Branch,
    BranchProcedure,
    DeskSession,
    OpeningHours,
    Outcome,
    Procedure,
    Queue,
    Transaction,
    Visit,
    VisitCase,
    VisitSource,
    VisitState,
    VisitSurvey,
)
from compromiso.attention.services import public as services_public
from compromiso.attention.tests import conftest as attention_fixtures
from compromiso.cases.models import Case
from compromiso.catalog.tests.factories import ChannelFactory, TouchPointFactory
from compromiso.core.actors import PUBLIC
from compromiso.core.errors import DomainError
from compromiso.organizations.models import ClosureDay
from compromiso.surveys.models import Invitation, Response
from compromiso.surveys.tests import conftest as survey_fixtures

pytestmark = pytest.mark.django_db

in_person = attention_fixtures.in_person
service = attention_fixtures.service
arica_point = attention_fixtures.arica_point
office = attention_fixtures.office
general_queue = attention_fixtures.general_queue
quick_queue = attention_fixtures.quick_queue
desk_one = attention_fixtures.desk_one
desk_two = attention_fixtures.desk_two
licences = survey_fixtures.licences
permits = survey_fixtures.permits
questionnaire = survey_fixtures.questionnaire
wave = survey_fixtures.wave

SANTIAGO = ZoneInfo("America/Santiago")
WEDNESDAY_11 = dt.datetime(2026, 5, 20, 11, 0, tzinfo=SANTIAGO)  # a business day, office open
NAVY_DAY_11 = dt.datetime(2026, 5, 21, 11, 0, tzinfo=SANTIAGO)  # a public holiday in Chile
WEDNESDAY_20 = dt.datetime(2026, 5, 20, 20, 0, tzinfo=SANTIAGO)  # after office hours
SATURDAY_10 = dt.datetime(2026, 5, 23, 10, 0, tzinfo=SANTIAGO)


def kiosk_url(office):
    return reverse("portal:queue_kiosk", args=[office.display_key])


def join_url(office):
    return reverse("portal:queue_join", args=[office.organization.slug, office.code])


@pytest.fixture(autouse=True)
def english(client):
    """Pages read in English here (Spanish is the site's default)."""
    client.cookies["compromiso_language"] = "en"


@pytest.fixture
def at_wednesday():
    with time_machine.travel(WEDNESDAY_11, tick=False):
        yield


# -- kiosk --------------------------------------------------------------------------------------


@pytest.mark.usefixtures("at_wednesday")
def test_the_kiosk_offers_the_active_queues_when_the_branch_lists_no_procedure(
    citizen, general_queue, quick_queue
):
    html = citizen.get(kiosk_url(general_queue.branch)).content.decode()

    assert "Atención general" in html
    assert "Trámites rápidos" in html
    assert f"?choice=q{general_queue.pk}" in html
    assert "<script>" not in html
    assert "style=" not in html


@pytest.mark.usefixtures("at_wednesday")
def test_the_kiosk_offers_the_branch_s_procedures_grouped_by_institution(
    citizen, organization, other_organization, office, general_queue
):
    own = Procedure.objects.create(
        organization=organization, code="CERT", name="Certificado", is_published=True
    )
    served = Procedure.objects.create(
        organization=other_organization, code="PEN", name="Pensión", is_published=True
    )
    hidden = Procedure.objects.create(organization=organization, code="X", name="Borrador")
    for procedure in (own, served, hidden):
        BranchProcedure.objects.create(branch=office, procedure=procedure, queue=general_queue)

    html = citizen.get(kiosk_url(office)).content.decode()

    assert html.index(organization.name) < html.index("Certificado")
    assert html.index("Certificado") < html.index("Ajuntament") < html.index("Pensión")
    assert "Borrador" not in html
    assert "Atención general" not in html  # the procedures are offered, not the queues


@pytest.mark.usefixtures("at_wednesday")
def test_a_kiosk_issues_a_ticket_and_shows_its_number_and_qr_code(citizen, office, general_queue):
    url = kiosk_url(office)
    choose = citizen.get(url, {"choice": f"q{general_queue.pk}"})
    assert choose.status_code == 200
    assert 'name="priority" value="older"' in choose.content.decode()

    issued = citizen.post(url, {"choice": f"q{general_queue.pk}", "priority": "older"})

    visit = Visit.objects.get()
    assert issued.status_code == 302
    assert issued["Location"] == reverse(
        "portal:queue_kiosk_ticket", args=[office.display_key, visit.code]
    )
    assert visit.source == VisitSource.KIOSK
    assert visit.priority_group == "older"
    assert visit.number == "A001"
    html = citizen.get(issued["Location"]).content.decode()
    assert ">A001<" in html
    assert "<svg" in html
    assert 'data-queue-kiosk-seconds="20"' in html
    assert "portal/queue_kiosk.js" in html


@pytest.mark.usefixtures("at_wednesday")
def test_a_procedure_chosen_at_the_kiosk_is_recorded_on_the_ticket(
    citizen, organization, office, general_queue, service
):
    procedure = Procedure.objects.create(
        organization=organization, code="C", name="Certificado", service=service, is_published=True
    )
    row = BranchProcedure.objects.create(branch=office, procedure=procedure, queue=general_queue)

    citizen.post(kiosk_url(office), {"choice": f"p{row.pk}", "priority": ""})

    visit = Visit.objects.get()
    assert (visit.procedure, visit.service, visit.queue) == (procedure, service, general_queue)


@pytest.mark.usefixtures("at_wednesday")
def test_a_wrong_kiosk_key_is_a_404(citizen, office, general_queue):
    assert citizen.get(reverse("portal:queue_kiosk", args=["not-the-key"])).status_code == 404
    assert citizen.get(reverse("portal:queue_kiosk", args=["k" * 200])).status_code == 404
    response = citizen.post(
        reverse("portal:queue_kiosk", args=["nope"]), {"choice": f"q{general_queue.pk}"}
    )
    assert response.status_code == 404
    office.is_active = False
    office.save()
    assert citizen.get(kiosk_url(office)).status_code == 404
    assert not Visit.objects.exists()


@pytest.mark.usefixtures("at_wednesday")
def test_a_kiosk_does_not_show_another_branch_s_ticket(
    citizen, organization, office, general_queue
):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    point = TouchPointFactory(organization=organization, unit=office.touch_point.unit)
    other = Branch.objects.create(organization=organization, touch_point=point, code="otra")
    url = reverse("portal:queue_kiosk_ticket", args=[other.display_key, visit.code])

    assert citizen.get(url).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {"choice": "q999999", "priority": ""},
        {"choice": "q0", "priority": ""},
        {"choice": "x" * 10_000, "priority": ""},
        {"choice": "<script>alert(1)</script>", "priority": ""},
        {"choice": "GENERAL", "priority": "<script>alert(1)</script>"},
        {"choice": "GENERAL", "priority": "vip"},
        {"choice": "GENERAL", "priority": "o" * 10_000},
        {"choice": "OTHER_BRANCH", "priority": ""},
    ],
)
@pytest.mark.usefixtures("at_wednesday")
def test_hostile_input_at_the_kiosk_issues_nothing(
    citizen, organization, office, general_queue, data
):
    point = TouchPointFactory(organization=organization, unit=office.touch_point.unit)
    other = Branch.objects.create(organization=organization, touch_point=point, code="otra")
    foreign = Queue.objects.create(branch=other, name="Otra fila", letter="Z")
    keys = {"GENERAL": f"q{general_queue.pk}", "OTHER_BRANCH": f"q{foreign.pk}"}
    data = {**data, "choice": keys.get(data["choice"], data["choice"])}

    response = citizen.post(kiosk_url(office), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "<script>alert(1)</script>" not in html
    assert 'role="alert"' in html
    assert not Visit.objects.exists()


@pytest.mark.usefixtures("at_wednesday")
def test_the_kiosk_speaks_spanish_and_catalan(citizen, office, general_queue):
    citizen.cookies["compromiso_language"] = "ca"
    html = citizen.get(kiosk_url(office)).content.decode()
    assert "Agafeu un número" in html or "Agafa un número" in html
    citizen.cookies["compromiso_language"] = "es"
    html = citizen.get(kiosk_url(office)).content.decode()
    assert "Saque un número" in html or "Tome un número" in html
    assert 'value="ca"' in html
    assert 'value="en"' in html


@pytest.mark.usefixtures("at_wednesday")
def test_the_kiosk_is_rate_limited(citizen, office, general_queue, monkeypatch):
    monkeypatch.setattr("compromiso.portal.attention.KIOSK_TICKETS_PER_HOUR", 2)
    data = {"choice": f"q{general_queue.pk}", "priority": ""}

    codes = [citizen.post(kiosk_url(office), data).status_code for _n in range(3)]

    assert codes == [302, 302, 429]
    assert Visit.objects.count() == 2


@pytest.mark.parametrize("moment", [NAVY_DAY_11, WEDNESDAY_20, SATURDAY_10])
def test_a_closed_office_s_kiosk_says_so_and_issues_nothing(citizen, office, general_queue, moment):
    data = {"choice": f"q{general_queue.pk}", "priority": ""}
    with time_machine.travel(moment, tick=False):
        page = citizen.get(kiosk_url(office))
        chosen = citizen.get(kiosk_url(office), {"choice": f"q{general_queue.pk}"})
        sent = citizen.post(kiosk_url(office), data)

    for response in (page, chosen):
        html = response.content.decode()
        assert response.status_code == 200
        assert "This office is closed now." in html
        assert 'href="?choice=' not in html
        assert 'name="priority"' not in html
    assert sent.status_code == 400
    assert "This office is closed now." in sent.content.decode()
    assert not Visit.objects.exists()


def test_a_closed_kiosk_shows_the_branch_s_opening_hours(citizen, office, general_queue):
    OpeningHours.objects.create(
        branch=office, weekday=2, opens_at=dt.time(8, 30), closes_at=dt.time(14)
    )
    with time_machine.travel(WEDNESDAY_20, tick=False):
        html = citizen.get(kiosk_url(office)).content.decode()
    assert "Opening hours" in html
    assert "Wednesday: 08:30–14:00" in html


def test_the_kiosk_opens_with_the_office(citizen, office, general_queue):
    with time_machine.travel(WEDNESDAY_11, tick=False):
        assert 'href="?choice=' in citizen.get(kiosk_url(office)).content.decode()
    with time_machine.travel(WEDNESDAY_20, tick=False):
        assert 'href="?choice=' not in citizen.get(kiosk_url(office)).content.decode()
        with pytest.raises(DomainError):
            services_public.take_ticket(
                office,
                services_public.choices(office)[0].choices[0],
                source=VisitSource.KIOSK,
            )


# -- join from the web --------------------------------------------------------------------------


def join_data(queue, **overrides):
    data = {
        "choice": f"q{queue.pk}",
        "phone": "+56 9 1234 5678",
        "email": "",
        "website": "",
        "submission_id": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_a_citizen_joins_an_open_branch_from_the_web(citizen, office, general_queue):
    with time_machine.travel(WEDNESDAY_11, tick=False):
        page = citizen.get(join_url(office))
        response = citizen.post(join_url(office), join_data(general_queue))

    visit = Visit.objects.get()
    assert 'name="website"' in page.content.decode()
    assert response["Location"] == reverse("portal:queue_ticket", args=[visit.code])
    assert visit.source == VisitSource.WEB
    assert visit.phone == "+56 9 1234 5678"
    assert visit.day == dt.date(2026, 5, 20)


def test_the_same_join_form_sent_twice_gives_one_ticket(citizen, office, general_queue):
    data = join_data(general_queue)
    with time_machine.travel(WEDNESDAY_11, tick=False):
        first = citizen.post(join_url(office), data)
        second = citizen.post(join_url(office), data)

    assert first["Location"] == second["Location"]
    assert Visit.objects.count() == 1


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        (NAVY_DAY_11, "closed"),
        (WEDNESDAY_20, "closed"),
        (SATURDAY_10, "closed"),
    ],
)
def test_joining_is_refused_when_the_office_is_closed(
    citizen, office, general_queue, moment, message
):
    with time_machine.travel(moment, tick=False):
        page = citizen.get(join_url(office))
        citizen.post(join_url(office), join_data(general_queue))

    assert message in page.content.decode()
    assert 'name="choice"' not in page.content.decode()
    assert not Visit.objects.exists()


def test_a_closure_day_of_the_organisation_closes_the_office(
    citizen, organization, office, general_queue
):
    ClosureDay.objects.create(organization=organization, date=dt.date(2026, 5, 20))
    with time_machine.travel(WEDNESDAY_11, tick=False):
        citizen.post(join_url(office), join_data(general_queue))
    assert not Visit.objects.exists()


def test_the_branch_s_own_hours_replace_the_office_hours(citizen, office, general_queue):
    OpeningHours.objects.create(
        branch=office, weekday=5, opens_at=dt.time(9), closes_at=dt.time(13)
    )
    with time_machine.travel(WEDNESDAY_11, tick=False):
        citizen.post(join_url(office), join_data(general_queue))
    assert not Visit.objects.exists()  # no hours on Wednesday: closed
    with time_machine.travel(SATURDAY_10, tick=False):
        citizen.post(join_url(office), join_data(general_queue))
    assert Visit.objects.get().day == dt.date(2026, 5, 23)


def test_a_branch_that_takes_no_web_visitors_refuses(citizen, office, general_queue):
    office.accepts_web_queue = False
    office.save()
    with time_machine.travel(WEDNESDAY_11, tick=False):
        page = citizen.get(join_url(office))
        citizen.post(join_url(office), join_data(general_queue))
    assert "does not take visitors from the web" in page.content.decode()
    assert not Visit.objects.exists()


def test_an_unknown_office_is_a_404(citizen, office):
    url = reverse("portal:queue_join", args=[office.organization.slug, "nowhere"])
    assert citizen.get(url).status_code == 404


@pytest.mark.parametrize(
    "overrides",
    [
        {"website": "http://spam.example"},
        {"choice": "q999999"},
        {"choice": "<script>alert(1)</script>"},
        {"choice": "x" * 10_000},
        {"phone": "<script>alert(1)</script>"},
        {"phone": "1" * 10_000},
        {"email": "not-an-address"},
        {"email": "a" * 10_000 + "@example.org"},
    ],
)
def test_hostile_input_on_the_join_form_issues_nothing(
    citizen, office, general_queue, overrides, at_wednesday
):
    response = citizen.post(join_url(office), join_data(general_queue, **overrides))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html
    assert "invalid-feedback" in html or "alert-danger" in html
    assert not Visit.objects.exists()


def test_joining_is_rate_limited(citizen, office, general_queue, monkeypatch, at_wednesday):
    monkeypatch.setattr("compromiso.portal.attention.JOINS_PER_HOUR", 2)

    codes = [
        citizen.post(join_url(office), join_data(general_queue)).status_code for _n in range(3)
    ]

    assert codes == [302, 302, 429]
    assert Visit.objects.count() == 2


# -- the ticket's page --------------------------------------------------------------------------


def test_the_ticket_page_shows_the_people_ahead_and_the_wait_computed_by_hand(
    citizen, office, general_queue, desk_one, desk_two, officer, quality_manager
):
    """One service of 10 minutes in the last 30 days, two desks open for the queue, two people
    ahead: (2 + 1) × 10 / 2 = 15 minutes."""
    now = WEDNESDAY_11
    with time_machine.travel(now, tick=False):
        done = services.issue_ticket(general_queue, by=PUBLIC, at=now - dt.timedelta(days=3))
        Visit.objects.filter(pk=done.pk).update(state=VisitState.FINISHED)
        Transaction.objects.filter(visit=done).update(
            started_at=now - dt.timedelta(days=3),
            ended_at=now - dt.timedelta(days=3) + dt.timedelta(minutes=10),
        )
        first = services.issue_ticket(general_queue, by=PUBLIC, at=now - dt.timedelta(minutes=9))
        services.issue_ticket(general_queue, by=PUBLIC, at=now - dt.timedelta(minutes=5))
        mine = services.issue_ticket(general_queue, by=PUBLIC, at=now - dt.timedelta(minutes=1))
        DeskSession.objects.create(desk=desk_one, user=officer, started_at=now)
        DeskSession.objects.create(desk=desk_two, user=quality_manager, started_at=now)

        page = citizen.get(reverse("portal:queue_ticket", args=[mine.code]))
        status = citizen.get(reverse("portal:queue_ticket_status", args=[mine.code])).json()
        services.call(first, desk=desk_two, by=officer)
        called = citizen.get(reverse("portal:queue_ticket_status", args=[first.code])).json()

    html = page.content.decode()
    assert mine.number in html
    assert "about 15 min" in html
    assert status == {
        "number": mine.number,
        "state": "waiting",
        "state_label": "Waiting",
        "is_open": True,
        "ahead": 2,
        "minutes": 15,
        "desk": "",
    }
    assert called["desk"] == "Módulo 2"
    assert called["ahead"] is None


def test_the_ticket_page_shows_no_personal_data(citizen, office, general_queue):
    visit = services.issue_ticket(
        general_queue, by=PUBLIC, phone="+56 9 8765 4321", email="ana@example.org"
    )
    html = citizen.get(reverse("portal:queue_ticket", args=[visit.code])).content.decode()
    status = citizen.get(reverse("portal:queue_ticket_status", args=[visit.code])).content
    assert "8765" not in html
    assert "ana@" not in html
    assert b"8765" not in status
    assert b"ana@" not in status


def test_an_unknown_ticket_code_is_a_404_in_the_user_s_language(citizen):
    citizen.cookies["compromiso_language"] = "es"
    response = citizen.get(reverse("portal:queue_ticket", args=["NOPE234567"]))
    assert response.status_code == 404
    assert 'lang="es"' in response.content.decode()
    long = citizen.get(reverse("portal:queue_ticket_status", args=["X" * 500]))
    assert long.status_code == 404


def test_a_visitor_leaves_the_queue_after_confirming(citizen, office, general_queue):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    url = reverse("portal:queue_ticket_leave", args=[visit.code])

    confirm = citizen.get(url)
    visit.refresh_from_db()
    assert visit.state == VisitState.WAITING
    assert 'method="post"' in confirm.content.decode()

    response = citizen.post(url)

    visit.refresh_from_db()
    assert response.status_code == 302
    assert visit.state == VisitState.LEFT
    assert visit.events.last().kind == "left"
    again = citizen.post(url)
    assert again.status_code == 400


# -- after the visit ----------------------------------------------------------------------------


@pytest.fixture
def licences_queue(office, licences):
    queue = Queue.objects.create(branch=office, name="Licencias", letter="L")
    queue.services.add(licences)
    return queue


def _served(queue, officer, desk):
    visit = services.issue_ticket(queue, by=PUBLIC, source=VisitSource.KIOSK)
    services.call(visit, desk=desk, by=officer)
    services.start(visit, by=officer)
    return services.finish(visit, outcome=Outcome.RESOLVED, by=officer)


@pytest.fixture
def licences_desk(office, licences_queue):
    from compromiso.attention.models import Desk

    desk = Desk.objects.create(branch=office, name="Módulo 3")
    desk.queues.add(licences_queue)
    return desk


def test_a_finished_visit_gets_one_survey_invitation_with_its_channel_and_touch_point(
    citizen, office, licences_queue, licences_desk, officer, wave, licences, at_wednesday
):
    visit = _served(licences_queue, officer, licences_desk)
    page = citizen.get(reverse("portal:queue_ticket", args=[visit.code])).content.decode()
    assert "Answer a short survey" in page

    first = citizen.post(reverse("portal:queue_ticket_survey", args=[visit.code]))
    second = citizen.post(reverse("portal:queue_ticket_survey", args=[visit.code]))

    invitation = Invitation.objects.get()
    assert VisitSurvey.objects.get(visit=visit).invitation == invitation
    assert first["Location"] == second["Location"]
    assert first["Location"].endswith(f"?i={invitation.token}")
    assert invitation.service == licences
    assert invitation.touch_point == office.touch_point
    assert invitation.channel == office.touch_point.channel
    assert invitation.email == ""

    questions = list(wave.questionnaire.questions.all())
    answered = citizen.post(
        first["Location"],
        {
            "invitation": invitation.token,
            "service": licences.pk,
            f"q{questions[0].pk}": 6,
            f"q{questions[1].pk}": 6,
            f"q{questions[2].pk}": "yes",
        },
    )
    assert answered.status_code == 302
    response = Response.objects.get()
    assert (response.channel, response.touch_point) == (
        office.touch_point.channel,
        office.touch_point,
    )
    page = citizen.get(reverse("portal:queue_ticket", args=[visit.code])).content.decode()
    assert "you answered the survey" in page


def test_no_survey_is_offered_without_an_open_wave_for_the_service(
    citizen, office, general_queue, desk_one, officer, at_wednesday
):
    visit = _served(general_queue, officer, desk_one)

    page = citizen.get(reverse("portal:queue_ticket", args=[visit.code])).content.decode()
    response = citizen.post(reverse("portal:queue_ticket_survey", args=[visit.code]))

    assert "Answer a short survey" not in page
    assert "Complain about this visit" in page
    assert response["Location"] == reverse("portal:queue_ticket", args=[visit.code])
    assert not Invitation.objects.exists()


def test_a_waiting_visit_is_offered_no_survey(citizen, office, licences_queue, wave, at_wednesday):
    visit = services.issue_ticket(licences_queue, by=PUBLIC)
    citizen.post(reverse("portal:queue_ticket_survey", args=[visit.code]))
    assert not Invitation.objects.exists()


@pytest.fixture
def web(organization):
    return ChannelFactory(organization=organization, kind="web", name="Sitio web")


def test_a_complaint_about_a_visit_is_prefilled_and_linked_to_it(
    citizen, organization, office, general_queue, desk_one, officer, service, web, at_wednesday
):
    visit = _served(general_queue, officer, desk_one)
    url = reverse("portal:case_new", args=[organization.slug]) + f"?visit={visit.code}"

    page = citizen.get(url)
    html = page.content.decode()
    assert f"About your visit {visit.number} of 20 May 2026 at Oficina Arica" in html
    assert page.context["form"]["service"].value() == service.pk
    response = citizen.post(
        url,
        {
            "kind": "complaint",
            "service": service.pk,
            "subject": "Esperé mucho",
            "description": "Una hora de espera.",
            "requester_name": "Ana Pérez",
            "requester_email": "ana@example.org",
            "reply_channel": "email",
            "submission_id": str(uuid.uuid4()),
            "website": "",
        },
    )

    case = Case.objects.get()
    assert response.status_code == 302
    assert VisitCase.objects.get().visit == visit
    assert VisitCase.objects.get().case == case
    assert case.touch_point == office.touch_point
    assert case.channel == office.touch_point.channel
    from compromiso.attention import links

    assert links.cases_of(visit) == [case]
    assert links.visit_of(case) == visit


def test_a_complaint_link_naming_another_organisation_s_visit_is_ignored(
    citizen, other_organization, office, general_queue, at_wednesday
):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    ChannelFactory(organization=other_organization, kind="web", name="Web")
    url = reverse("portal:case_new", args=[other_organization.slug])

    for code in (visit.code, "<script>", "x" * 10_000):
        html = citizen.get(url, {"visit": code}).content.decode()
        assert "About your visit" not in html
