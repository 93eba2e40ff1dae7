from django.contrib import admin

from compromiso.cases.models import Case, CaseEvent, DeadlinePolicy


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = ["tracking_code", "organization", "kind", "status", "received_at", "due_at"]
    list_filter = ["organization", "kind", "status"]
    search_fields = ["tracking_code", "subject"]
    readonly_fields = ["secret_hash"]

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False  # nothing is deleted; cases are withdrawn, merged or anonymised


admin.site.register(CaseEvent)
admin.site.register(DeadlinePolicy)
