"""Importing responses from CSV or XLSX (an external measurer's data set, paper surveys typed in a
spreadsheet): read the header, map columns to the wave's fields and questions, check every row,
report each rejected row and why, and store the valid ones together — or nothing on failure.

The rows are checked a column at a time with Polars, not one by one in Python: what a cell means
(a service, a date, a grade…) is worked out once per distinct cell, and the valid rows become
COPY text in bulk, so a million-row file imports in seconds (docs/performance.md). One module per
step: reading, checking, storing, and the job that runs them."""

from compromiso.surveys.imports.checking import FIELDS as FIELDS
from compromiso.surveys.imports.checking import guess_mapping as guess_mapping
from compromiso.surveys.imports.errors import SurveyImportError as SurveyImportError
from compromiso.surveys.imports.jobs import map_import as map_import
from compromiso.surveys.imports.jobs import run_import as run_import
from compromiso.surveys.imports.jobs import start_import as start_import
from compromiso.surveys.imports.reading import MAX_BYTES as MAX_BYTES
from compromiso.surveys.imports.reading import MAX_ROWS as MAX_ROWS
from compromiso.surveys.imports.reading import XLSX_MAX_EXPANDED_BYTES as XLSX_MAX_EXPANDED_BYTES
from compromiso.surveys.imports.storing import ANSWER_COLUMNS as ANSWER_COLUMNS
from compromiso.surveys.imports.storing import COPY_ROWS as COPY_ROWS
from compromiso.surveys.imports.storing import RESPONSE_COLUMNS as RESPONSE_COLUMNS
