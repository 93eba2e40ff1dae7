"""Survey figures, read from the per-cell score counts (never from raw answers): a wave's
scores and breakdowns, its weighted totals and panel change, the key-driver table, the
internal-customer matrix and each organisation against the network."""

from compromiso.surveys.figures.cells import Cell as Cell
from compromiso.surveys.figures.cells import Counts as Counts
from compromiso.surveys.figures.cells import bands_of as bands_of
from compromiso.surveys.figures.cells import control_limits as control_limits
from compromiso.surveys.figures.drivers import Driver as Driver
from compromiso.surveys.figures.drivers import DriverTable as DriverTable
from compromiso.surveys.figures.drivers import driver_table as driver_table
from compromiso.surveys.figures.matrix import INTERNAL_ANONYMITY as INTERNAL_ANONYMITY
from compromiso.surveys.figures.matrix import Matrix as Matrix
from compromiso.surveys.figures.matrix import internal_matrix as internal_matrix
from compromiso.surveys.figures.waves import PanelChange as PanelChange
from compromiso.surveys.figures.waves import WaveFigures as WaveFigures
from compromiso.surveys.figures.waves import panel_change as panel_change
from compromiso.surveys.figures.waves import service_counts as service_counts
from compromiso.surveys.figures.waves import wave_figures as wave_figures
from compromiso.surveys.figures.weighted import RakedTotal as RakedTotal
from compromiso.surveys.figures.weighted import StratumProgress as StratumProgress
from compromiso.surveys.figures.weighted import WeightedTotal as WeightedTotal
from compromiso.surveys.figures.weighted import raked_total as raked_total
from compromiso.surveys.figures.weighted import sample_progress as sample_progress
from compromiso.surveys.figures.weighted import weighted_total as weighted_total
