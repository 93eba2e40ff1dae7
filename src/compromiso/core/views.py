"""The audit log of one object, for those allowed to read it."""

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from compromiso.core.ids import parse_id
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
    pk = parse_id(object_id)
    if visible is None or pk is None:
        raise Http404
    obj = visible(request.user).filter(pk=pk).first()
    organization_id = _organization_id(obj) if obj is not None else None
    if obj is None or organization_id is None:
        raise Http404
    if not scope_for(request.user, Perm.VIEW_AUDIT_LOG).covers_organization(organization_id):
        raise PermissionDenied
    entries = AuditEntry.objects.for_object(obj).select_related("actor")[:500]
    return render(request, "core/audit_log.html", {"object": obj, "entries": entries})


def _organization_id(obj: Model, depth: int = 3) -> int | None:
    """The organisation an object belongs to: its own, or that of the row it hangs from (a
    commitment's charter, a membership's unit…); None when there is none within reach."""
    if obj._meta.model_name == "organization" and obj._meta.app_label == "organizations":
        return int(obj.pk)
    own = getattr(obj, "organization_id", None)
    if isinstance(own, int):
        return own
    if depth == 0:
        return None
    for field in obj._meta.concrete_fields:
        if field.many_to_one and field.related_model is not None:
            parent = getattr(obj, field.name, None)
            if isinstance(parent, Model):
                found = _organization_id(parent, depth - 1)
                if found is not None:
                    return found
    return None
