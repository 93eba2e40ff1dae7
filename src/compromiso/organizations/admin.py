from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from compromiso.organizations.models import (
    ApiToken,
    ClosureDay,
    Membership,
    NetworkMember,
    Organization,
    SignIn,
    Unit,
    User,
)

# The authenticator secrets and recovery codes (TotpDevice, RecoveryCode) are deliberately not
# registered: administrators reset a second factor from the members page, never read one.
admin.site.register(User, UserAdmin)


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin[Organization]):
    list_display = ["name", "slug", "country", "subdivision", "jurisdiction", "is_active"]
    search_fields = ["name", "slug"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ["name", "organization", "kind", "code", "path", "is_active"]
    list_filter = ["organization", "kind"]
    readonly_fields = ["path"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "organization", "unit", "role"]
    list_filter = ["organization", "role"]


admin.site.register(NetworkMember)
admin.site.register(ClosureDay)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "organization", "hint", "created_at", "revoked_at"]
    readonly_fields = ["key_hash", "hint"]


@admin.register(SignIn)
class SignInAdmin(admin.ModelAdmin[SignIn]):
    list_display = ["at", "outcome", "second_factor", "username", "network"]
    list_filter = ["outcome", "second_factor"]
    search_fields = ["username"]
    readonly_fields = [
        "at",
        "outcome",
        "second_factor",
        "user",
        "username",
        "network",
        "user_agent",
    ]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
