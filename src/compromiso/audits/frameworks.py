"""The criteria frameworks Compromiso ships for the quality seal, as data. An organisation installs
one (`services.install_framework`), which copies it into its own `Framework` and `FrameworkNode`
rows in the organisation's language; from then on the copy is the organisation's to edit.

Two are shipped:

- `service-quality-seal`, derived from the seeds (seed 002): a single service model, attention
  protocols at every touch point, every commitment met at every touch point, a continuous-
  improvement system, train-the-trainers, and the project's communication and structure. Its
  texts are ours.
- `cse-structure`, the structure of the UK Customer Service Excellence standard: its 5 criteria
  and 15 sub-criteria by their published names, and 57 numbered elements whose texts are NOT
  shipped — the standard's element texts are licensed, so the organisation enters them from its
  own copy. How the 57 elements fall under the sub-criteria follows a common edition and is not
  verified: the organisation may change references and add elements.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from compromiso.audits.models import FrameworkKind

type Text = Promise | str


@dataclass(frozen=True)
class ShippedNode:
    ref: str
    title: Text
    text: Text = ""
    children: tuple["ShippedNode", ...] = ()

    @property
    def assessable(self) -> bool:
        """Elements (the leaves) are rated; criteria and sub-criteria group them."""
        return not self.children


@dataclass(frozen=True)
class ShippedFramework:
    code: str
    name: Text
    kind: str
    version: str
    description: Text
    licence_note: Text
    nodes: tuple[ShippedNode, ...] = field(default_factory=tuple)

    def walk(self) -> Iterator[tuple[ShippedNode, ShippedNode | None]]:
        """Every node with its parent, parents first, in reading order."""

        def visit(
            node: ShippedNode, parent: ShippedNode | None
        ) -> Iterator[tuple[ShippedNode, ShippedNode | None]]:
            yield node, parent
            for child in node.children:
                yield from visit(child, node)

        for top in self.nodes:
            yield from visit(top, None)


def _n(ref: str, title: Text, text: Text = "", *children: ShippedNode) -> ShippedNode:
    return ShippedNode(ref=ref, title=title, text=text, children=children)


SEAL = ShippedFramework(
    code="service-quality-seal",
    name=_("Service quality seal"),
    kind=FrameworkKind.SEAL,
    version="1",
    description=_(
        "A seal for the service-quality model: one service model with attention protocols at "
        "every touch point, every commitment met at every touch point, a continuous-improvement "
        "system with clear indicators, train-the-trainers, and the project's communication. "
        "An independent body attests that every commitment is kept at every touch point as the "
        "service model describes."
    ),
    licence_note=_("Written for Compromiso; free to use and adapt."),
    nodes=(
        _n(
            "1",
            _("Service model and quality policy"),
            "",
            _n(
                "1.1",
                _("One service model"),
                "",
                _n(
                    "1.1.1",
                    _("One service model for the whole organisation"),
                    _(
                        "The organisation has a single service model that gives it the same "
                        "discourse towards users in every service centre and channel. Evidence: "
                        "the service model in force."
                    ),
                ),
                _n(
                    "1.1.2",
                    _("A clear value proposition"),
                    _(
                        "The model states clearly the value proposition to users: what they can "
                        "expect from the organisation and why it matters to them."
                    ),
                ),
            ),
            _n(
                "1.2",
                _("A quality policy known by all"),
                "",
                _n(
                    "1.2.1",
                    _("The policy is known by every member of staff"),
                    _(
                        "The model is part of a service-quality policy that every member of "
                        "staff knows. Evidence: the staff's acknowledgements of the model in "
                        "force."
                    ),
                ),
                _n(
                    "1.2.2",
                    _("Deployed to staff in direct and indirect contact"),
                    _(
                        "The model has been deployed to all staff in direct contact with users "
                        "and to those who serve them indirectly."
                    ),
                ),
            ),
        ),
        _n(
            "2",
            _("Attention protocols at every touch point"),
            "",
            _n(
                "2.1",
                _("Minimum attention protocols"),
                "",
                _n(
                    "2.1.1",
                    _("A protocol for every channel"),
                    _(
                        "Minimum attention protocols are defined for every channel through which "
                        "users are attended, and apply at each of its touch points."
                    ),
                ),
                _n(
                    "2.1.2",
                    _("Observable steps with a standard"),
                    _(
                        "Each step of a protocol describes a behaviour anyone can observe and "
                        "the standard it must meet."
                    ),
                ),
            ),
            _n(
                "2.2",
                _("The same style everywhere"),
                "",
                _n(
                    "2.2.1",
                    _("Protocols applied at every touch point"),
                    _(
                        "Observation shows the protocols applied at every touch point: whatever "
                        "the service centre, users perceive the same style of attention. "
                        "Evidence: protocol compliance per touch point."
                    ),
                ),
                _n(
                    "2.2.2",
                    _("Protocols kept day to day"),
                    _(
                        "The protocols are observed regularly at each touch point and a "
                        "deviation leads to action."
                    ),
                ),
            ),
        ),
        _n(
            "3",
            _("Commitments met at every touch point"),
            "",
            _n(
                "3.1",
                _("Public commitments with clear indicators"),
                "",
                _n(
                    "3.1.1",
                    _("A charter in force"),
                    _(
                        "The service commitments are published in a charter in force, each with "
                        "an indicator and a target."
                    ),
                ),
                _n(
                    "3.1.2",
                    _("Commitments on what users value"),
                    _(
                        "The commitments cover an efficient welcome, quick answers to inquiries, "
                        "keeping what was agreed, prompt receipt of complaints and suggestions, "
                        "and warm, friendly service."
                    ),
                ),
            ),
            _n(
                "3.2",
                _("Verified at every touch point"),
                "",
                _n(
                    "3.2.1",
                    _("Each commitment verified where it applies"),
                    _(
                        "Each commitment is verified with conforming evidence, within the "
                        "current cycle, at every touch point where it applies, as the service "
                        "model describes. Evidence: the verification matrix."
                    ),
                ),
                _n(
                    "3.2.2",
                    _("Results measured and published"),
                    _(
                        "The indicators of the commitments are measured from operational data "
                        "and their results are published."
                    ),
                ),
            ),
            _n(
                "3.3",
                _("What users perceive"),
                "",
                _n(
                    "3.3.1",
                    _("Users' perception measured and improving"),
                    _(
                        "Users' perception of the quality of the service is measured regularly, "
                        "by service and touch point, and it improves."
                    ),
                ),
                _n(
                    "3.3.2",
                    _("Complaints and suggestions taken up"),
                    _(
                        "Complaints and suggestions are received promptly, someone takes charge "
                        "of each one, and they are answered within the promised time."
                    ),
                ),
            ),
        ),
        _n(
            "4",
            _("Continuous-improvement system"),
            "",
            _n(
                "4.1",
                _("Indicators of achievement"),
                "",
                _n(
                    "4.1.1",
                    _("Clear indicators that set priorities"),
                    _(
                        "The project has clear indicators of achievement from which "
                        "improvement opportunities are defined and prioritised."
                    ),
                ),
            ),
            _n(
                "4.2",
                _("Improvement and follow-up"),
                "",
                _n(
                    "4.2.1",
                    _("Priorities turned into actions"),
                    _(
                        "Improvement opportunities are prioritised and turned into actions "
                        "with an owner and a due date."
                    ),
                ),
                _n(
                    "4.2.2",
                    _("Follow-up and effect checked"),
                    _(
                        "Actions are followed up and their effect is checked against the "
                        "indicators."
                    ),
                ),
            ),
            _n(
                "4.3",
                _("Installed capacity"),
                "",
                _n(
                    "4.3.1",
                    _("Middle managers empowered"),
                    _(
                        "Middle managers are empowered to keep the model and the protocols "
                        "alive at every touch point day to day and to carry the improvements "
                        "forward."
                    ),
                ),
            ),
        ),
        _n(
            "5",
            _("Training"),
            "",
            _n(
                "5.1",
                _("Train the trainers"),
                "",
                _n(
                    "5.1.1",
                    _("Middle managers prepared as trainers"),
                    _("Middle managers are prepared in train-the-trainers techniques and tools."),
                ),
                _n(
                    "5.1.2",
                    _("Contact staff trained in their protocols"),
                    _(
                        "Contact staff are trained in the minimum attention protocols of their "
                        "touch points. Evidence: training coverage per touch point."
                    ),
                ),
            ),
            _n(
                "5.2",
                _("Skills development"),
                "",
                _n(
                    "5.2.1",
                    _("Skills workshops for contact staff"),
                    _(
                        "A second phase of workshops develops the skills of contact staff: "
                        "customer orientation, effective communication and empathy, time "
                        "management, handling conflict, teamwork and managing stress."
                    ),
                ),
            ),
        ),
        _n(
            "6",
            _("Communication and project structure"),
            "",
            _n(
                "6.1",
                _("Internal communication"),
                "",
                _n(
                    "6.1.1",
                    _("Name, slogans, axes and values"),
                    _(
                        "The project has a name and slogans; the axes and values of the model "
                        "are defined and communicated to staff."
                    ),
                ),
                _n(
                    "6.1.2",
                    _("Tangible and intangible arguments"),
                    _(
                        "The tangible and intangible arguments that make up the value "
                        "proposition are defined and known."
                    ),
                ),
                _n(
                    "6.1.3",
                    _("Channels for the project's information"),
                    _("The channels through which the project's information flows are defined."),
                ),
            ),
            _n(
                "6.2",
                _("Project structure"),
                "",
                _n(
                    "6.2.1",
                    _("Sponsor, leader and teams"),
                    _("The project's sponsor, leader and formal teams are defined."),
                ),
            ),
            _n(
                "6.3",
                _("External communication"),
                "",
                _n(
                    "6.3.1",
                    _("Messages, audiences and moments"),
                    _(
                        "The messages to communicate to the public, to whom and when, are set "
                        "by the project's milestones."
                    ),
                ),
            ),
        ),
    ),
)

# The published names of the CSE criteria and sub-criteria, with how many elements each holds
# in a common edition (57 in all; the split is not verified).
_CSE: tuple[tuple[str, Text, tuple[tuple[str, Text, int], ...]], ...] = (
    (
        "1",
        _("Customer Insight"),
        (
            ("1.1", _("Customer Identification"), 3),
            ("1.2", _("Engagement and Consultation"), 4),
            ("1.3", _("Customer Satisfaction"), 5),
        ),
    ),
    (
        "2",
        _("The Culture of the Organisation"),
        (
            ("2.1", _("Leadership, Policy and Culture"), 6),
            ("2.2", _("Staff Professionalism and Attitude"), 4),
        ),
    ),
    (
        "3",
        _("Information and Access"),
        (
            ("3.1", _("Range of Information"), 3),
            ("3.2", _("Quality of Information"), 3),
            ("3.3", _("Access"), 4),
            ("3.4", _("Co-operative working with other providers, partners and communities"), 3),
        ),
    ),
    (
        "4",
        _("Delivery"),
        (
            ("4.1", _("Delivery Standards"), 3),
            ("4.2", _("Achieved Delivery and Outcomes"), 4),
            ("4.3", _("Deal Effectively with Problems"), 5),
        ),
    ),
    (
        "5",
        _("Timeliness and Quality of Service"),
        (
            ("5.1", _("Standards for Timeliness and Quality"), 2),
            ("5.2", _("Timely Outcomes"), 5),
            ("5.3", _("Achieved Timely Delivery"), 3),
        ),
    ),
)

ELEMENT_TITLE = _("Element %(ref)s")
"""The placeholder title of an element whose text the organisation enters."""


def _cse_nodes() -> tuple[ShippedNode, ...]:
    return tuple(
        _n(
            ref,
            title,
            "",
            *(
                _n(
                    sub_ref,
                    sub_title,
                    "",
                    *(
                        ShippedNode(ref=f"{sub_ref}.{number}", title="")
                        for number in range(1, count + 1)
                    ),
                )
                for sub_ref, sub_title, count in subs
            ),
        )
        for ref, title, subs in _CSE
    )


CSE = ShippedFramework(
    code="cse-structure",
    name=_("Customer Service Excellence (structure)"),
    kind=FrameworkKind.SEAL,
    version="",
    description=_(
        "The structure of the UK Customer Service Excellence standard: 5 criteria, 15 "
        "sub-criteria and 57 elements. Element texts are entered by the organisation from its "
        "own copy of the standard."
    ),
    licence_note=_(
        "The texts of the standard's elements are not shipped, for licensing reasons: enter "
        "each element's text from your licensed copy. How the 57 elements are numbered under "
        "each sub-criterion follows a common edition and has not been verified; change the "
        "references or add elements to match the edition you hold."
    ),
    nodes=_cse_nodes(),
)

SHIPPED: dict[str, ShippedFramework] = {SEAL.code: SEAL, CSE.code: CSE}


def shipped(code: str) -> ShippedFramework | None:
    return SHIPPED.get(code)
