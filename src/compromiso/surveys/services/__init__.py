"""Every change to surveys, one module per noun: questionnaires and their versions, waves
(opening, closing, sample design), taking a response with its counts, invitations and their
reminders, the follow-up after a case or a low score, the client units' validation of the
attributes, and the quality bonus. The public doors are re-exported here."""

from compromiso.surveys.services.errors import SurveyError as SurveyError
from compromiso.surveys.services.follow_up import invite_after_case as invite_after_case
from compromiso.surveys.services.invitations import invite as invite
from compromiso.surveys.services.invitations import invite_client_units as invite_client_units
from compromiso.surveys.services.invitations import remind_invitations as remind_invitations
from compromiso.surveys.services.questionnaires import TITLE_LIMIT as TITLE_LIMIT
from compromiso.surveys.services.questionnaires import create_questionnaire as create_questionnaire
from compromiso.surveys.services.questionnaires import new_version as new_version
from compromiso.surveys.services.responses import INVITATION_ONLY as INVITATION_ONLY
from compromiso.surveys.services.responses import SCORE_CELL as SCORE_CELL
from compromiso.surveys.services.responses import TEXT_LIMIT as TEXT_LIMIT
from compromiso.surveys.services.responses import add_cells as add_cells
from compromiso.surveys.services.responses import add_to_counts as add_to_counts
from compromiso.surveys.services.responses import clean_answers as clean_answers
from compromiso.surveys.services.responses import needs_invitation as needs_invitation
from compromiso.surveys.services.responses import panel_key_of as panel_key_of
from compromiso.surveys.services.responses import rebuild_counts as rebuild_counts
from compromiso.surveys.services.responses import submit_response as submit_response
from compromiso.surveys.services.waves import MAX_POPULATION as MAX_POPULATION
from compromiso.surveys.services.waves import RAKING_DIMENSIONS as RAKING_DIMENSIONS
from compromiso.surveys.services.waves import clean_client_units as clean_client_units
from compromiso.surveys.services.waves import close_wave as close_wave
from compromiso.surveys.services.waves import create_wave as create_wave
from compromiso.surveys.services.waves import is_accepting as is_accepting
from compromiso.surveys.services.waves import open_wave as open_wave
from compromiso.surveys.services.waves import set_sample_design as set_sample_design
from compromiso.surveys.services.waves import set_weight_targets as set_weight_targets
