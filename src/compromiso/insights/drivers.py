"""Key drivers of overall satisfaction: Johnson's relative weights and Shapley value regression
(each attribute's share of the explained variance, robust to correlated attributes) and the
importance–performance quadrant that names where to improve first (research/satisfaction.md
§B.7). NumPy only, no database."""

import itertools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

MIN_RESPONSES = 30
MAX_SHAPLEY_DRIVERS = 12  # 2^p subsets: beyond this use relative_weights (§E)
BLOCK_ROWS = 1 << 16


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
    prepared = _correlations(attributes, overall)
    if prepared is None:
        return None
    return relative_weights_from(prepared.r_xx, prepared.r_xy, prepared.n)


def relative_weights_from(r_xx: NDArray[np.float64], r_xy: NDArray[np.float64], n: int) -> Weights:
    """Johnson's relative weights from the correlations of n complete responses: r_xx among the
    attributes, r_xy of each attribute with the overall score."""
    eigenvalues, vectors = np.linalg.eigh(r_xx)
    eigenvalues = np.clip(eigenvalues, 1e-12, None)
    half = vectors @ np.diag(np.sqrt(eigenvalues)) @ vectors.T  # R^½, symmetric
    beta = np.linalg.solve(half, r_xy)
    raw = (half**2) @ (beta**2)
    return Weights(raw=[float(v) for v in raw], r_squared=float(beta @ beta), n=n)


def shapley(attributes: NDArray[np.float64], overall: NDArray[np.float64]) -> Weights | None:
    """Shapley value regression (LMG; Lipovetsky & Conklin 2001, Grömping 2007): each attribute's
    gain in R² averaged over every order of entry,
    φ_j = Σ_{S⊆P∖{j}} |S|!(p−|S|−1)!/p! · [R²(S∪{j}) − R²(S)], which adds up to the full R².
    Each of the 2^p subsets' R² is computed once, from the correlation matrix. Same rows and
    None cases as relative_weights; ValueError beyond MAX_SHAPLEY_DRIVERS attributes."""
    _check_shapley_width(np.shape(attributes)[1] if np.ndim(attributes) == 2 else 0)
    prepared = _correlations(attributes, overall)
    if prepared is None:
        return None
    return shapley_from(prepared.r_xx, prepared.r_xy, prepared.n)


def shapley_from(r_xx: NDArray[np.float64], r_xy: NDArray[np.float64], n: int) -> Weights:
    """Shapley value regression from the correlations of n complete responses: r_xx among the
    attributes, r_xy of each attribute with the overall score. ValueError beyond
    MAX_SHAPLEY_DRIVERS attributes."""
    _check_shapley_width(len(r_xy))
    r_squared = subset_r_squared(r_xx, r_xy)
    raw = shapley_values(r_squared)
    return Weights(raw=[float(v) for v in raw], r_squared=float(r_squared[-1]), n=n)


def _check_shapley_width(width: int) -> None:
    if width > MAX_SHAPLEY_DRIVERS:
        raise ValueError(
            f"Shapley regression takes at most {MAX_SHAPLEY_DRIVERS} drivers (2^p subsets), "
            f"not {width}; use relative_weights"
        )


@dataclass(frozen=True)
class _Correlations:
    r_xx: NDArray[np.float64]  # the attributes' correlation matrix, p × p
    r_xy: NDArray[np.float64]  # each attribute's correlation with the overall score
    n: int


def _correlations(
    attributes: NDArray[np.float64], overall: NDArray[np.float64]
) -> _Correlations | None:
    """The preparation the driver methods share: rows with any missing value are dropped; None
    when fewer than MIN_RESPONSES complete rows remain, there are no attributes or a column does
    not vary; else every correlation, computed once."""
    x = np.asarray(attributes, dtype=float)
    y = np.asarray(overall, dtype=float)
    keep = ~(np.isnan(x).any(axis=1) | np.isnan(y))
    if not keep.all():
        x, y = x[keep], y[keep]
    n, p = len(y), x.shape[1]
    if n < MIN_RESPONSES or p == 0:
        return None
    r = _correlation_matrix(x, y)
    if r is None:
        return None
    return _Correlations(r_xx=r[:p, :p], r_xy=r[:p, p], n=n)


def _correlation_matrix(
    x: NDArray[np.float64], y: NDArray[np.float64]
) -> NDArray[np.float64] | None:
    """The correlation matrix of the columns of [x | y], centred on the means as np.corrcoef
    does but a block of rows at a time, so that a million rows are never copied whole; None
    when a column does not vary."""
    means = np.append(x.mean(axis=0), y.mean())
    first = np.append(x[0], y[0])
    varies = np.zeros(len(means), dtype=bool)
    gram = np.zeros((len(means), len(means)))
    for start in range(0, len(y), BLOCK_ROWS):
        rows = slice(start, start + BLOCK_ROWS)
        block = np.column_stack([x[rows], y[rows]])
        varies |= (block != first).any(axis=0)
        block -= means
        gram += block.T @ block
    if not varies.all():
        return None
    scale = np.sqrt(np.diag(gram))
    correlations: NDArray[np.float64] = np.clip(gram / np.outer(scale, scale), -1.0, 1.0)
    return correlations


def subset_r_squared(r_xx: NDArray[np.float64], r_xy: NDArray[np.float64]) -> NDArray[np.float64]:
    """R² of the regression on every subset S of the attributes, indexed by bitmask (bit j set
    when attribute j is in S): R²(S) = r_Sy' R_SS⁺ r_Sy, with the pseudo-inverse so that
    collinear attributes do no harm. The subsets of each size are solved together."""
    p = len(r_xy)
    r_squared = np.zeros(1 << p)
    for size in range(1, p + 1):
        members = np.array(list(itertools.combinations(range(p), size)), dtype=np.intp)
        blocks = r_xx[members[:, :, None], members[:, None, :]]
        vectors = r_xy[members]
        inverses = np.linalg.pinv(blocks, rtol=1e-10, hermitian=True)
        masks = (1 << members).sum(axis=1)
        r_squared[masks] = np.einsum("si,sij,sj->s", vectors, inverses, vectors)
    return r_squared


def shapley_values(r_squared: NDArray[np.float64]) -> NDArray[np.float64]:
    """Each attribute's Shapley value from the R² of every subset (indexed by bitmask):
    the |S|!(p−|S|−1)!/p!-weighted sum of its marginal gains R²(S∪{j}) − R²(S)."""
    p = len(r_squared).bit_length() - 1
    masks = np.arange(1 << p)
    sizes = np.bitwise_count(masks)
    factors = np.array(
        [math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)]
    )
    values = np.empty(p)
    for j in range(p):
        without = masks[(masks & (1 << j)) == 0]
        gains = r_squared[without | (1 << j)] - r_squared[without]
        values[j] = factors[sizes[without]] @ gains
    return values


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
