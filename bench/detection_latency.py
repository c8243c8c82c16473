#!/usr/bin/env python3
"""Detection node latency: `bench/vision_latency.py --node detection` (same options)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from vision_latency import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(default_node="detection"))
