"""Run the benchmarks in bench/ and print their figures.

    make bench                       # every bench_*.py
    .venv/bin/python bench/run.py calendar

Each bench_<name>.py defines `run() -> list[tuple[str, float, str]]` (what was measured, the
figure, its unit). Benchmarks that need the database use their own file, var/bench.sqlite3, unless
DATABASE_URL is set, so the demo database is never touched. Write the results down in
docs/performance.md with the machine and the date.
"""

import importlib
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "src"), str(HERE)]
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compromiso.config.settings")
os.environ.setdefault("TASKS_BACKEND", "immediate")


def main(selected: list[str]) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    names = selected or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · "
        f"{os.environ['DATABASE_URL'].split(':', 1)[0]} · {time.strftime('%Y-%m-%d')}"
    )
    for name in names:
        module = importlib.import_module(f"bench_{name}")
        print(f"\n## {name}: {module.__doc__.strip().splitlines()[0] if module.__doc__ else ''}")
        for label, value, unit in module.run():
            print(f"  {label:<60} {value:>12,.1f} {unit}")


if __name__ == "__main__":
    main(sys.argv[1:])
