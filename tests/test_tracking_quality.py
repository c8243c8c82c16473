"""Tracker quality floor: the `tracker` crate (through the track_eval binary, default parameters)
on the TUD-Campus and TUD-Stadtmitte detections of bench/mot_data.py, scored with motmetrics.

The inputs are fixed (files shipped in motmetrics, fixed seeds), so the figures are
deterministic; the floors sit a little under the figures measured when they were set (in the
comments), so a change that costs tracking quality fails and a harmless one does not.
bench/tracking.py compares the same figures with supervision's ByteTrack.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
import mot_data as md  # noqa: E402

# (sequence, source): (MOTA floor, IDF1 floor, ID switch ceiling); measured in the comment.
FLOORS = {
    ("TUD-Campus", "test"): (0.525, 0.56, 5),         # 0.540, 0.578, 3
    ("TUD-Campus", "noisy"): (0.715, 0.80, 3.0),      # 0.733, 0.818, 2.0 (mean of seeds 1-5)
    ("TUD-Stadtmitte", "test"): (0.555, 0.635, 7),    # 0.569, 0.653, 5
    ("TUD-Stadtmitte", "noisy"): (0.765, 0.825, 3.2), # 0.783, 0.845, 2.2 (mean of seeds 1-5)
}

_results = {}


def _evaluate(seq):
    if seq not in _results:
        _results[seq] = md.evaluate(seq, with_supervision=False)
    return _results[seq]


@pytest.mark.parametrize("seq,source", sorted(FLOORS))
def test_tracking_quality_floor(seq, source):
    got = _evaluate(seq)[source]["ours"]
    mota, idf1, switches = FLOORS[(seq, source)]
    figures = f"{seq} {source}: MOTA {got['mota']:.3f}, IDF1 {got['idf1']:.3f}, ID switches {got['num_switches']:.1f}"
    print(figures)
    assert got["mota"] >= mota, figures
    assert got["idf1"] >= idf1, figures
    assert got["num_switches"] <= switches, figures
