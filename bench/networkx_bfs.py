"""Plain BFS baseline for bench/trace.ts: NetworkX single_source_shortest_path_length with a hop cutoff.

usage: python3 networkx_bfs.py EDGES.csv STARTS.json CUTOFF
EDGES.csv has a header and two columns (from, to). Prints one JSON object on stdout.
"""

import csv
import json
import re
import resource
import sys
import time

import networkx as nx


def peak_rss_mib() -> int:
    """Peak RSS of this process (VmHWM: getrusage keeps a parent's peak across exec)."""
    try:
        with open("/proc/self/status") as f:
            m = re.search(r"^VmHWM:\s+(\d+) kB", f.read(), re.M)
            if m:
                return int(m.group(1)) // 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main() -> None:
    edges_path, starts_path, cutoff = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(starts_path) as f:
        starts = json.load(f)
    t0 = time.perf_counter()
    g = nx.DiGraph()
    with open(edges_path, newline="") as f:
        r = csv.reader(f)
        next(r)
        g.add_edges_from((a, b) for a, b in r)
    build = time.perf_counter() - t0
    runs = []
    for s in starts:
        t = time.perf_counter()
        reached = nx.single_source_shortest_path_length(g, s, cutoff=cutoff) if s in g else {}
        runs.append({"start": s, "ms": (time.perf_counter() - t) * 1000, "reached": len(reached)})
    print(
        json.dumps(
            {
                "networkx": nx.__version__,
                "nodes": g.number_of_nodes(),
                "edges": g.number_of_edges(),
                "buildSeconds": build,
                "runs": runs,
                "peakRssMiB": peak_rss_mib(),
            }
        )
    )


if __name__ == "__main__":
    main()
