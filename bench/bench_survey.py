"""Survey figures at scale: the net-score breakdown by service × channel × month with 95 %
intervals read from per-cell counts, against a plain PostgreSQL GROUP BY over the raw rows and
the same computation written idiomatically in pandas — identical figures from all three — and
key-driver analysis over the raw answers.

BENCH_SURVEY_RESPONSES sets the number of responses (default 1,000,000; the issue's target run
is 10,000,000). Needs PostgreSQL (BENCH_PG, default postgres://postgres@127.0.0.1:5432); pandas
runs in a virtualenv of its own under var/bench so the project does not depend on it.
"""

import io
import json
import os
import statistics
import subprocess
import time
from typing import Any

import numpy as np
from pg import VAR, database, require_postgresql, venv

from compromiso.insights import drivers, netscore

RESPONSES = int(os.environ.get("BENCH_SURVEY_RESPONSES", "1000000"))
REPEATS = 20
SERVICES, CHANNELS, MONTHS, ATTRIBUTES = 12, 6, 12, 8
BANDS = netscore.CHILE_1_7


def _generate(n: int, seed: int = 11) -> dict[str, np.ndarray]:
    """Responses with an overall grade driven by 8 attribute grades and by service and channel."""
    rng = np.random.default_rng(seed)
    service = rng.integers(0, SERVICES, n, dtype=np.int16)
    channel = rng.integers(0, CHANNELS, n, dtype=np.int16)
    month = rng.integers(0, MONTHS, n, dtype=np.int16)
    level = rng.normal(0, 0.5, SERVICES)[service] + rng.normal(0, 0.4, CHANNELS)[channel]
    weights = np.array([0.3, 0.2, 0.15, 0.1, 0.1, 0.07, 0.05, 0.03])
    attributes = np.clip(
        np.rint(5.2 + level[:, None] + rng.normal(0, 1.1, (n, ATTRIBUTES))), 1, 7
    ).astype(np.int16)
    overall = np.clip(np.rint(attributes @ weights + 0.3 + rng.normal(0, 0.6, n)), 1, 7)
    return {
        "service": service,
        "channel": channel,
        "month": month,
        "overall": overall.astype(np.int16),
        "attributes": attributes,
    }


def _estimate(rows: list[tuple[int, int, int, int, int]]) -> tuple[Any, netscore.Summaries]:
    """(service, channel, month, score, count) rows → every cell's net score, SE and CI at
    once (NumPy over all cells, no loop per cell), as the cell keys and their figures."""
    data = np.array(rows, dtype=np.int64).reshape(-1, 5)
    codes = (data[:, 0] * CHANNELS + data[:, 1]) * MONTHS + data[:, 2]
    keys, cell = np.unique(codes, return_inverse=True)
    counts = np.zeros((len(keys), BANDS.scale_max - BANDS.scale_min + 1), dtype=np.int64)
    np.add.at(counts, (cell, data[:, 3] - BANDS.scale_min), data[:, 4])
    return keys, netscore.summarise_many(counts, BANDS)


def _summaries(estimated: tuple[Any, netscore.Summaries]) -> dict[str, list[float]]:
    """The figures by cell name, to compare the three computations."""
    keys, figures = estimated
    out = {}
    for i, code in enumerate(keys.tolist()):
        rest, month = divmod(code, MONTHS)
        service, channel = divmod(rest, CHANNELS)
        out[f"{service}-{channel}-{month}"] = [
            round(float(figures.net.value[i]), 6),
            round(float(figures.net.low[i]), 6),
            round(float(figures.net.high[i]), 6),
            int(figures.n[i]),
        ]
    return out


def _timed(call: Any) -> tuple[Any, list[float]]:
    result = call()  # warm-up
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - start) * 1000)
    return result, times


PANDAS_SCRIPT = r"""
import json, sys, time
import numpy as np, pandas as pd
data = np.load(sys.argv[1])
frame = pd.DataFrame({k: data[k] for k in ("service", "channel", "month", "overall")})
def compute():
    frame["satisfied"] = frame["overall"] >= 6
    frame["dissatisfied"] = frame["overall"] <= 4
    grouped = frame.groupby(["service", "channel", "month"]).agg(
        n=("overall", "size"), p_plus=("satisfied", "mean"), p_minus=("dissatisfied", "mean")
    )
    grouped["net"] = grouped["p_plus"] - grouped["p_minus"]
    variance = grouped["p_plus"] + grouped["p_minus"] - grouped["net"] ** 2
    grouped["se"] = np.sqrt(variance / grouped["n"])
    grouped["low"] = (100 * (grouped["net"] - 1.959963984540054 * grouped["se"])).clip(lower=-100)
    grouped["high"] = (100 * (grouped["net"] + 1.959963984540054 * grouped["se"])).clip(upper=100)
    grouped["net"] = 100 * grouped["net"]
    return grouped
compute()
times = []
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    result = compute()
    times.append((time.perf_counter() - start) * 1000)
figures = {f"{s}-{c}-{m}": [round(r.net, 6), round(r.low, 6), round(r.high, 6), int(r.n)]
           for (s, c, m), r in result.iterrows()}
print(json.dumps({"times": times, "figures": figures}))
"""


def run() -> list[tuple[str, float, str]]:
    import psycopg

    require_postgresql()
    VAR.mkdir(parents=True, exist_ok=True)
    data = _generate(RESPONSES)
    results: list[tuple[str, float, str]] = [("responses", float(RESPONSES), "rows")]
    with database("compromiso_bench_survey") as url, psycopg.connect(url, autocommit=True) as db:
        db.execute(
            "CREATE TABLE raw (service smallint, channel smallint, month smallint, "
            "overall smallint, " + ", ".join(f"a{i} smallint" for i in range(ATTRIBUTES)) + ")"
        )
        start = time.perf_counter()
        matrix = np.column_stack(
            [data["service"], data["channel"], data["month"], data["overall"], data["attributes"]]
        )
        with db.cursor().copy("COPY raw FROM STDIN") as copy:
            for chunk in np.array_split(matrix, max(1, RESPONSES // 200_000)):
                buffer = io.StringIO()
                np.savetxt(buffer, chunk, fmt="%d", delimiter="\t")
                copy.write(buffer.getvalue())
        loaded = time.perf_counter() - start
        results.append(("load raw rows with COPY", RESPONSES / loaded, "rows/s"))
        start = time.perf_counter()
        db.execute(
            "CREATE TABLE cells AS SELECT service, channel, month, overall AS score, "
            "count(*)::int AS count FROM raw GROUP BY 1, 2, 3, 4"
        )
        db.execute("CREATE INDEX ON cells (service, channel, month)")
        db.execute("ANALYZE raw")
        db.execute("ANALYZE cells")
        results.append(("build the per-cell counts", (time.perf_counter() - start) * 1000, "ms"))

        def from_cells() -> tuple[Any, netscore.Summaries]:
            rows = db.execute(
                "SELECT service, channel, month, score, sum(count) FROM cells GROUP BY 1, 2, 3, 4"
            ).fetchall()
            return _estimate(rows)

        def from_raw() -> tuple[Any, netscore.Summaries]:
            rows = db.execute(
                "SELECT service, channel, month, overall, count(*) FROM raw GROUP BY 1, 2, 3, 4"
            ).fetchall()
            return _estimate(rows)

        rolled_figures, cell_times = _timed(from_cells)
        plain_figures, raw_times = _timed(from_raw)
        rolled, plain = _summaries(rolled_figures), _summaries(plain_figures)

    path = VAR / "survey-bench.npz"
    np.savez(path, **{k: v for k, v in data.items() if k != "attributes"})
    pandas_bin = venv(VAR / "pandas-env", ["pandas==2.3.3", "numpy"])
    output = subprocess.run(
        [str(pandas_bin / "python"), "-c", PANDAS_SCRIPT, str(path), str(REPEATS)],
        check=True,
        capture_output=True,
        text=True,
    )
    pandas = json.loads(output.stdout)
    same = (
        rolled == plain
        and all(np.allclose(rolled[k], pandas["figures"][k], atol=1e-6) for k in rolled)
        and set(rolled) == set(pandas["figures"])
    )
    median = statistics.median
    p95 = lambda xs: sorted(xs)[int(0.95 * (len(xs) - 1))]  # noqa: E731
    results += [
        ("breakdown from per-cell counts, median (warm)", median(cell_times), "ms"),
        ("breakdown from per-cell counts, p95", p95(cell_times), "ms"),
        ("plain PostgreSQL GROUP BY over raw rows, median", median(raw_times), "ms"),
        ("pandas groupby over raw rows, median", median(pandas["times"]), "ms"),
        ("speed-up of the counts over pandas", median(pandas["times"]) / median(cell_times), "×"),
        ("identical figures from all three (1 = yes)", 1.0 if same else 0.0, ""),
        ("cells in the breakdown", float(len(rolled)), "cells"),
    ]
    x = data["attributes"].astype(float)
    y = data["overall"].astype(float)
    start = time.perf_counter()
    weights = drivers.relative_weights(x, y)
    results.append(
        (
            "key drivers (relative weights) over all responses",
            (time.perf_counter() - start) * 1000,
            "ms",
        )
    )
    assert weights is not None
    return results
