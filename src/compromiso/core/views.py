"""The audit log of one object, for those allowed to read it."""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from compromiso.core.models import AuditEntry
from compromiso.core.permissions import Perm, scope_for


@login_required
def audit_log(
    request: HttpRequest, app_label: str, model_name: str, object_id: str
) -> HttpResponse:
    """Every recorded change of one object: 404 unless the object is visible to the user, 403
    unless they may read audit logs there."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as error:
        raise Http404 from error
    visible = getattr(model.objects, "visible_to", None)
    if visible is None or not object_id.isdigit():
        raise Http404
    obj = visible(request.user).filter(pk=int(object_id)).first()
    if obj is None:
        raise Http404
    organization_id = obj.pk if model_name == "organization" else obj.organization_id
    if not scope_for(request.user, Perm.VIEW_AUDIT_LOG).covers_organization(organization_id):
        raise PermissionDenied
    entries = AuditEntry.objects.for_object(obj).select_related("actor")[:500]
    return render(request, "core/audit_log.html", {"object": obj, "entries": entries})
