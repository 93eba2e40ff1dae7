"""Satisfaction surveys: versioned questionnaires, waves that measure services over a period,
anonymous responses, and the per-cell score counts that every figure is read from. One module
per noun; every model is imported here so Django finds it."""

from compromiso.surveys.models.counts import DriverMoments as DriverMoments
from compromiso.surveys.models.counts import ScoreCount as ScoreCount
from compromiso.surveys.models.counts import SegmentCount as SegmentCount
from compromiso.surveys.models.imports import ImportJob as ImportJob
from compromiso.surveys.models.imports import ImportStatus as ImportStatus
from compromiso.surveys.models.incentives import BonusMetric as BonusMetric
from compromiso.surveys.models.incentives import IncentiveResult as IncentiveResult
from compromiso.surveys.models.incentives import IncentiveScheme as IncentiveScheme
from compromiso.surveys.models.invitations import Invitation as Invitation
from compromiso.surveys.models.kiosks import Kiosk as Kiosk
from compromiso.surveys.models.kiosks import KioskQuerySet as KioskQuerySet
from compromiso.surveys.models.questionnaires import Question as Question
from compromiso.surveys.models.questionnaires import QuestionKind as QuestionKind
from compromiso.surveys.models.questionnaires import Questionnaire as Questionnaire
from compromiso.surveys.models.responses import AgeBand as AgeBand
from compromiso.surveys.models.responses import Answer as Answer
from compromiso.surveys.models.responses import GradesField as GradesField
from compromiso.surveys.models.responses import Response as Response
from compromiso.surveys.models.responses import ResponseSource as ResponseSource
from compromiso.surveys.models.responses import UserType as UserType
from compromiso.surveys.models.validation import REVIEW_COMMENT_LIMIT as REVIEW_COMMENT_LIMIT
from compromiso.surveys.models.validation import AttributeProposal as AttributeProposal
from compromiso.surveys.models.validation import AttributeReview as AttributeReview
from compromiso.surveys.models.validation import ReviewDecision as ReviewDecision
from compromiso.surveys.models.waves import Stratum as Stratum
from compromiso.surveys.models.waves import Wave as Wave
from compromiso.surveys.models.waves import WaveKind as WaveKind
from compromiso.surveys.models.waves import WaveQuerySet as WaveQuerySet
from compromiso.surveys.models.waves import WaveStatus as WaveStatus
from compromiso.surveys.models.waves import _token as _token  # the migrations name it here
