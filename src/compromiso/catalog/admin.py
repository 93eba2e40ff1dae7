from django.contrib import admin

from compromiso.catalog.models import Attribute, Channel, Service, TouchPoint


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ["code", "name", "organization", "provider_unit", "audience", "is_active"]
    list_filter = ["organization", "audience"]
    search_fields = ["code", "name"]


admin.site.register(Channel)
admin.site.register(TouchPoint)
admin.site.register(Attribute)
