"""Imports from other systems (a queue system's visits, contacts, a contact centre's interval
figures): the doors the pages call. The work lives in `attention.imports`."""

from compromiso.attention.imports.fields import FIELDS, propose
from compromiso.attention.imports.jobs import map_import, run_import, start_import
from compromiso.attention.imports.visits import IMPORTER

__all__ = ["FIELDS", "IMPORTER", "map_import", "propose", "run_import", "start_import"]
