"""Write the national-scale dataset of ``reports_national.py`` (3,000 actions, 500,000 updates) to a
SQLite file and keep it, so whole ``planbot`` processes can be timed on it:

    python benchmarks/national_db.py /tmp/national.db [--actions 3000] [--updates 500000]
    DATABASE_URL=sqlite:////tmp/national.db hyperfine -N 'planbot report quarter "2018/19 Q3" --as-of 2019-01-16'
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reports_national import generate

from storage.db import make_engine
from storage.migrate import upgrade_to_head


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--actions", type=int, default=3000)
    parser.add_argument("--updates", type=int, default=500_000)
    args = parser.parse_args()
    args.file.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{args.file.resolve()}")
    try:
        upgrade_to_head(engine)
        generate(engine, args.actions, args.updates, Console())
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
