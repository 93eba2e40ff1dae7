"""The public queue display of a branch: its secret key, its state as JSON, and the event stream
that sends a new state after a change (the stream's generators are driven directly)."""

import asyncio
import json
from urllib.parse import quote

import pytest
from django.urls import reverse

from compromiso.attention import services, streams
from compromiso.attention.models import Branch
from compromiso.core.actors import PUBLIC


@pytest.fixture
def called(office, general_queue, desk_one, officer):
    visit = services.issue_ticket(general_queue, by=PUBLIC)
    services.call(visit, desk=desk_one, by=officer)
    return visit


def test_the_display_shows_the_number_called_and_its_desk(client, office, called):
    page = client.get(reverse("portal:queue_display", args=[office.display_key]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-live="assertive"' in html
    assert called.number in html
    assert "Módulo 1" in html
    assert "Oficina Arica" in html
    assert "<script>" not in html  # strict CSP: scripts only from files


@pytest.mark.parametrize(
    "key",
    ["wrong", "x" * 65, "<script>alert(1)</script>", "\x00", "..%2f", "é"],
)
@pytest.mark.parametrize(
    "name", ["portal:queue_display", "portal:queue_display_state", "portal:queue_display_events"]
)
def test_a_wrong_key_is_a_404(client, office, name, key):
    url = reverse(name, args=["KEY"]).replace("KEY", quote(key, safe=""))
    assert client.get(url).status_code == 404


def test_an_inactive_branch_has_no_display(client, office):
    Branch.objects.filter(pk=office.pk).update(is_active=False)
    assert client.get(reverse("portal:queue_display", args=[office.display_key])).status_code == 404


def test_the_state_is_json_without_staff_names(client, office, called, desk_one, officer):
    services.sit_at(desk_one, by=officer)
    answer = client.get(reverse("portal:queue_display_state", args=[office.display_key]))
    state = answer.json()
    assert state["calls"][0]["number"] == called.number
    assert state["calls"][0]["desk"] == "Módulo 1"
    assert "desks" not in state
    assert officer.username not in answer.content.decode()


def _state(chunk):
    lines = dict(line.split(": ", 1) for line in chunk.strip().splitlines() if ": " in line)
    assert lines["event"] == "state"
    return int(lines["id"]), json.loads(lines["data"])


@pytest.mark.django_db(transaction=True)
def test_the_stream_sends_a_new_state_after_a_bump(office, general_queue, desk_one, officer):
    watcher = streams.Watcher()

    async def follow():
        stream = streams.stream(office.pk, lifetime=5, watcher=watcher)
        assert (await anext(stream)).startswith("retry: ")
        first_version, first = _state(await asyncio.wait_for(anext(stream), 2))
        assert first["calls"] == []
        visit = await asyncio.wrap_future(
            watcher.run(lambda: services.issue_ticket(general_queue, by=PUBLIC))
        )
        await asyncio.wrap_future(
            watcher.run(lambda: services.call(visit, desk=desk_one, by=officer))
        )
        loop = asyncio.get_running_loop()
        started = loop.time()
        version, state = _state(await asyncio.wait_for(anext(stream), 2))
        delay = loop.time() - started
        await stream.aclose()
        return first_version, version, state, visit, delay

    try:
        first_version, version, state, visit, delay = asyncio.run(follow())
    finally:
        watcher.close()
    assert version > first_version
    assert state["calls"][0]["number"] == visit.number
    assert delay < 1


@pytest.mark.django_db(transaction=True)
def test_the_stream_under_wsgi_heartbeats_and_ends(office, monkeypatch):
    monkeypatch.setattr(streams, "HEARTBEAT", 0.3)
    watcher = streams.Watcher()
    try:
        chunks = list(streams.stream_sync(office.pk, lifetime=1, watcher=watcher))
    finally:
        watcher.close()
    assert chunks[0].startswith("retry: ")
    assert _state(chunks[1])[1]["branch"] == "Oficina Arica"
    assert ": heartbeat\n\n" in chunks[2:]


@pytest.mark.django_db(transaction=True)
def test_the_event_view_answers_an_event_stream(client, office):
    answer = client.get(reverse("portal:queue_display_events", args=[office.display_key]))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/event-stream")
    assert answer.streaming
    first = next(iter(answer.streaming_content))
    assert first.startswith(b"retry: ")
    answer.close()


def test_the_display_of_a_quiet_morning_says_nobody_was_called(client, office, general_queue):
    page = client.get(reverse("portal:queue_display", args=[office.display_key]))
    assert page.status_code == 200
    assert "queue-display-empty" in page.content.decode()
