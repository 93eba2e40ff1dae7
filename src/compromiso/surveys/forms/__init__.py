"""Forms for surveys, one module per noun. Saving always goes through surveys.services or
surveys.imports."""

from compromiso.surveys.forms.imports import FIELD_LABELS as FIELD_LABELS
from compromiso.surveys.forms.imports import ImportUploadForm as ImportUploadForm
from compromiso.surveys.forms.imports import MappingForm as MappingForm
from compromiso.surveys.forms.incentives import ResultForm as ResultForm
from compromiso.surveys.forms.incentives import SchemeForm as SchemeForm
from compromiso.surveys.forms.invitations import InviteForm as InviteForm
from compromiso.surveys.forms.invitations import InviteUnitsForm as InviteUnitsForm
from compromiso.surveys.forms.kiosks import KioskForm as KioskForm
from compromiso.surveys.forms.questionnaires import OPTIONS_LIMIT as OPTIONS_LIMIT
from compromiso.surveys.forms.questionnaires import SCALE_LABELS as SCALE_LABELS
from compromiso.surveys.forms.questionnaires import SCALES as SCALES
from compromiso.surveys.forms.questionnaires import QuestionForm as QuestionForm
from compromiso.surveys.forms.questionnaires import QuestionnaireForm as QuestionnaireForm
from compromiso.surveys.forms.validation import AttributeProposalForm as AttributeProposalForm
from compromiso.surveys.forms.validation import AttributeReviewForm as AttributeReviewForm
from compromiso.surveys.forms.validation import ClientUnitsForm as ClientUnitsForm
from compromiso.surveys.forms.validation import OverrideForm as OverrideForm
from compromiso.surveys.forms.waves import SampleDesignForm as SampleDesignForm
from compromiso.surveys.forms.waves import WaveForm as WaveForm
from compromiso.surveys.forms.waves import WeightTargetsForm as WeightTargetsForm
