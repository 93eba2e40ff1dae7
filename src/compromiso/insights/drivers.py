"""Key drivers of overall satisfaction: Johnson's relative weights (each attribute's share of the
explained variance, robust to correlated attributes) and the importance–performance quadrant that
names where to improve first (research/satisfaction.md §B.7). NumPy only, no database."""

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MIN_RESPONSES = 30


@dataclass(frozen=True)
class Weights:
    raw: list[float]  # sums to R²
    r_squared: float
    n: int

    @property
    def shares(self) -> list[float]:
        """Each attribute's % of the explained variance."""
        if self.r_squared <= 0:
            return [0.0 for _ in self.raw]
        return [100 * w / self.r_squared for w in self.raw]


def relative_weights(
    attributes: NDArray[np.float64], overall: NDArray[np.float64]
) -> Weights | None:
    """Johnson (2000): regress the overall score on the orthogonal counterparts of the attributes
    (R^½ of their correlation matrix) and apportion R². Rows with any missing value are dropped;
    None when fewer than MIN_RESPONSES complete rows remain or a column does not vary."""
    x = np.asarray(attributes, dtype=float)
    y = np.asarray(overall, dtype=float)
    keep = ~(np.isnan(x).any(axis=1) | np.isnan(y))
    x, y = x[keep], y[keep]
    n = len(y)
    if n < MIN_RESPONSES or x.shape[1] == 0:
        return None
    if np.any(x.std(axis=0) == 0) or y.std() == 0:
        return None
    r_xx = np.corrcoef(x, rowvar=False).reshape(x.shape[1], x.shape[1])
    r_xy = np.array([np.corrcoef(x[:, j], y)[0, 1] for j in range(x.shape[1])])
    eigenvalues, vectors = np.linalg.eigh(r_xx)
    eigenvalues = np.clip(eigenvalues, 1e-12, None)
    half = vectors @ np.diag(np.sqrt(eigenvalues)) @ vectors.T  # R^½, symmetric
    beta = np.linalg.solve(half, r_xy)
    raw = (half**2) @ (beta**2)
    return Weights(raw=[float(v) for v in raw], r_squared=float(beta @ beta), n=n)


IMPROVE_FIRST = "improve_first"
KEEP_UP = "keep_up"
LOW_PRIORITY = "low_priority"
POSSIBLE_OVERKILL = "possible_overkill"


def quadrant(
    importance: float, performance: float, mean_importance: float, mean_performance: float
) -> str:
    """Importance–performance analysis: important and weak → improve first."""
    important = importance >= mean_importance
    strong = performance >= mean_performance
    if important and not strong:
        return IMPROVE_FIRST
    if important:
        return KEEP_UP
    if not strong:
        return LOW_PRIORITY
    return POSSIBLE_OVERKILL
