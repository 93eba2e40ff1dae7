"""Every change of the service model: drafting, approval, publication (superseding the version
in force), a new version from the published one, and a staff member's acknowledgement. Each step
checks who acts and writes an audit entry."""

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from compromiso.core.actors import Actor, SystemActor, user_of
from compromiso.core.audit import log_action, snapshot
from compromiso.core.errors import DomainError
from compromiso.core.permissions import Perm, require, scope_for
from compromiso.organizations.models import Organization
from compromiso.servicemodel.models import (
    MAX_AXES,
    MAX_PROMISES,
    Acknowledgement,
    ModelAxis,
    ModelStatus,
    Promise,
    ServiceModel,
)

MODEL_FIELDS = (
    "project_name",
    "slogans",
    "value_proposition",
    "quality_policy",
    "tangible_arguments",
    "intangible_arguments",
)


class ServiceModelError(DomainError):
    pass


def _require(model: ServiceModel, by: Actor, perm: Perm) -> None:
    """The model is the whole organisation's: drafting and approving need the right there."""
    require(by, perm, organization_id=model.organization_id)


def _ensure_editable(model: ServiceModel) -> None:
    if not model.is_editable:
        raise ServiceModelError(
            _("Only a draft can be edited: make a new version of the published model."),
            code="not_editable",
        )


def _check_lists(axes: Sequence[tuple[str, str]] | None, promises: Sequence[str] | None) -> None:
    if axes is not None and len(axes) > MAX_AXES:
        raise ValidationError({"axes": _("At most %(count)d axes.") % {"count": MAX_AXES}})
    if promises is not None and len(promises) > MAX_PROMISES:
        raise ValidationError(
            {"promises": _("At most %(count)d promises.") % {"count": MAX_PROMISES}}
        )


def _replace_lists(
    model: ServiceModel,
    axes: Sequence[tuple[str, str]] | None,
    promises: Sequence[str] | None,
) -> None:
    if axes is not None:
        model.axes.all().delete()
        rows = [
            ModelAxis(service_model=model, order=n, name=name, description=description)
            for n, (name, description) in enumerate(axes, start=1)
        ]
        for row in rows:
            row.full_clean(exclude=["service_model"])
        ModelAxis.objects.bulk_create(rows)
    if promises is not None:
        model.promises.all().delete()
        items = [Promise(service_model=model, order=n, text=t) for n, t in enumerate(promises, 1)]
        for item in items:
            item.full_clean(exclude=["service_model"])
        Promise.objects.bulk_create(items)


@transaction.atomic
def create_service_model(
    organization: Organization,
    *,
    by: Actor,
    axes: Sequence[tuple[str, str]] = (),
    promises: Sequence[str] = (),
    **fields: Any,
) -> ServiceModel:
    """The organisation's first service model, as a draft, version 1."""
    model = ServiceModel(organization=organization)
    _require(model, by, Perm.EDIT_CHARTERS)
    if ServiceModel.objects.filter(organization=organization).exists():
        raise ServiceModelError(
            _("This organisation already has a service model: make a new version of it."),
            code="exists",
        )
    for name, value in fields.items():
        if name not in MODEL_FIELDS:
            raise TypeError(name)
        setattr(model, name, value)
    _check_lists(axes, promises)
    model.full_clean()
    model.save()
    _replace_lists(model, axes, promises)
    log_action(model, "servicemodel.servicemodel.created", by=by, data={"version": 1})
    return model


@transaction.atomic
def update_service_model(
    model: ServiceModel,
    *,
    by: Actor,
    axes: Sequence[tuple[str, str]] | None = None,
    promises: Sequence[str] | None = None,
    **fields: Any,
) -> ServiceModel:
    """Change a draft's texts and, when given, replace its axes and promises."""
    _require(model, by, Perm.EDIT_CHARTERS)
    _ensure_editable(model)
    before = snapshot(model, MODEL_FIELDS)
    for name, value in fields.items():
        if name not in MODEL_FIELDS:
            raise TypeError(name)
        setattr(model, name, value)
    _check_lists(axes, promises)
    model.full_clean()
    model.save()
    _replace_lists(model, axes, promises)
    after = snapshot(model, MODEL_FIELDS)
    # Field names only: the texts are long and stay in the version itself.
    data: dict[str, Any] = {
        "fields": [name for name in MODEL_FIELDS if before[name] != after[name]]
    }
    if axes is not None:
        data["axes"] = len(axes)
    if promises is not None:
        data["promises"] = len(promises)
    log_action(model, "servicemodel.servicemodel.updated", by=by, data=data)
    return model


def missing_for_approval(model: ServiceModel) -> list[str]:
    """Why the draft cannot be approved yet, in words; empty when it is complete."""
    problems = []
    if not model.value_proposition.strip():
        problems.append(_("The value proposition is empty."))
    if not model.quality_policy.strip():
        problems.append(_("The quality policy is empty."))
    if not model.axes.exists():
        problems.append(_("The model has no axis."))
    if not model.promises.exists():
        problems.append(_("The model makes no promise to users."))
    return problems


def _move(model: ServiceModel, to: str, *, by: Actor, data: dict[str, Any]) -> ServiceModel:
    data = {"from": model.status, "to": to, **data}
    model.status = to
    model.save()
    log_action(model, f"servicemodel.servicemodel.{to}", by=by, data=data)
    return model


@transaction.atomic
def approve_service_model(model: ServiceModel, *, by: Actor, reference: str) -> ServiceModel:
    """Record the approval of a complete draft: who, when, and the act that approves it."""
    _require(model, by, Perm.APPROVE_CHARTERS)
    if model.status != ModelStatus.DRAFT:
        raise ServiceModelError(_("Only a draft can be approved."))
    reference = " ".join(reference.split())
    if not reference:
        raise ValidationError({"reference": _("Give the act or resolution that approves it.")})
    if len(reference) > 300:
        raise ValidationError({"reference": _("At most 300 characters.")})
    problems = missing_for_approval(model)
    if problems:
        raise ServiceModelError(
            _("The model is not complete: %(problems)s") % {"problems": " ".join(problems)},
            code="incomplete",
        )
    model.approval_reference = reference
    model.approved_at = timezone.now()
    model.approved_by = user_of(by)
    return _move(model, ModelStatus.APPROVED, by=by, data={"reference": reference})


@transaction.atomic
def publish_service_model(model: ServiceModel, *, by: Actor) -> ServiceModel:
    """Put an approved version in force; the version in force until now is superseded."""
    _require(model, by, Perm.APPROVE_CHARTERS)
    if model.status != ModelStatus.APPROVED:
        raise ServiceModelError(_("Only an approved model can be published."))
    previous = ServiceModel.objects.select_for_update().filter(
        organization_id=model.organization_id, status=ModelStatus.PUBLISHED
    )
    for old in previous.exclude(pk=model.pk):
        _move(old, ModelStatus.SUPERSEDED, by=by, data={"by_version": model.version})
    model.published_at = timezone.now()
    model.published_by = user_of(by)
    model.valid_from = model.organization.today()
    return _move(model, ModelStatus.PUBLISHED, by=by, data={})


@transaction.atomic
def new_service_model_version(model: ServiceModel, *, by: Actor) -> ServiceModel:
    """The next draft, a copy of this published version: texts, axes and promises."""
    _require(model, by, Perm.EDIT_CHARTERS)
    if model.status != ModelStatus.PUBLISHED:
        raise ServiceModelError(_("A new version is made from the published model."))
    newest = ServiceModel.objects.filter(lineage=model.lineage).order_by("-version").first()
    assert newest is not None
    if newest.status in (ModelStatus.DRAFT, ModelStatus.APPROVED):
        raise ServiceModelError(_("A newer version is already being prepared."))
    draft = ServiceModel.objects.create(
        organization=model.organization,
        lineage=model.lineage,
        version=newest.version + 1,
        **{name: getattr(model, name) for name in MODEL_FIELDS},
    )
    _replace_lists(
        draft,
        [(axis.name, axis.description) for axis in model.axes.all()],
        [promise.text for promise in model.promises.all()],
    )
    log_action(
        draft, "servicemodel.servicemodel.created", by=by, data={"from_version": model.version}
    )
    return draft


@transaction.atomic
def acknowledge_service_model(model: ServiceModel, *, by: Actor) -> Acknowledgement:
    """A staff member of the organisation says they have read the version in force; once."""
    if isinstance(by, SystemActor):
        raise ServiceModelError(_("Only a person can say they have read the model."))
    if not scope_for(by, Perm.VIEW).touches(model.organization_id):
        raise PermissionDenied(_("You do not have permission to do this."))
    if model.status != ModelStatus.PUBLISHED:
        raise ServiceModelError(_("Only the model in force can be acknowledged."))
    if Acknowledgement.objects.filter(service_model=model, user=by).exists():
        raise ServiceModelError(
            _("You have already acknowledged this version."), code="already_acknowledged"
        )
    try:
        with transaction.atomic():
            acknowledgement = Acknowledgement.objects.create(
                service_model=model, user=by, at=timezone.now()
            )
    except IntegrityError as error:
        raise ServiceModelError(
            _("You have already acknowledged this version."), code="already_acknowledged"
        ) from error
    log_action(
        acknowledgement,
        "servicemodel.acknowledgement.created",
        by=by,
        data={"service_model": model.pk, "version": model.version},
    )
    return acknowledgement


def in_force(organization: Organization) -> ServiceModel | None:
    """The published version, if any."""
    return (
        ServiceModel.objects.filter(organization=organization, status=ModelStatus.PUBLISHED)
        .select_related("approved_by", "published_by")
        .first()
    )
