"""Personal access tokens: `Authorization: Bearer cmp_…`. A token acts as its user inside the
organisation it was issued for."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from compromiso.organizations.models import ApiToken
from compromiso.organizations.services import authenticate_api_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        api_token = authenticate_api_token(token)
        if api_token is None:
            return None
        request.user = api_token.user
        request.api_organization = api_token.organization  # type: ignore[attr-defined]
        return api_token
