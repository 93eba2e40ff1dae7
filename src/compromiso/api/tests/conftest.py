import json

import pytest

from compromiso.organizations.services import create_api_token


class Api:
    """A JSON client that sends one persona's personal access token."""

    def __init__(self, client, token: str | None):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _send(self, method, path, body=None, raw=None, **headers):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json"} if data is not None else {}
        return getattr(self.client, method)(
            f"/api/v1{path}", data=data, headers={**self.headers, **headers}, **kwargs
        )

    def get(self, path, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self.headers)

    def post(self, path, body=None, **kwargs):
        return self._send("post", path, body, **kwargs)

    def patch(self, path, body=None, **kwargs):
        return self._send("patch", path, body, **kwargs)

    def delete(self, path):
        return self._send("delete", path)


@pytest.fixture
def api_as(client):
    """api_as(user) → an API client acting with a fresh token of that user."""

    def make(user, organization=None):
        organization = organization or user.memberships.first().organization
        _token, raw = create_api_token(user=user, organization=organization, name="tests")
        return Api(client, raw)

    return make


@pytest.fixture
def anonymous_api(client):
    return Api(client, None)
