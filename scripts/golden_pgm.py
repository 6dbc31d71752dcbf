"""Golden values for tests/golden_pgm.rs: mbi's mirror descent on bench's measurements.

Reads tests/golden/pgm_measurements.jsonl (label-star) and pgm_mst_measurements.jsonl (an MST
tree with compressed, weighted 1-way measurements), both written by
`BENCH_REGENERATE_GOLDEN=1 cargo test --release --test golden_pgm committed_measurements`; runs mbi 2.0.0's MirrorDescent
(JAX, float64) on each and writes tests/golden/pgm_marginals.json and pgm_mst_marginals.json:
N̂, the final loss (recomputed here in numpy from mbi's marginals), and every 2-way clique
marginal flattened in C order.

Requires: pip install mbi==2.0.0   (pulls jax/jaxlib; tested with jax 0.10.2)
Usage:    python scripts/golden_pgm.py
"""

import importlib.metadata
import json
import pathlib

import jax

jax.config.update("jax_enable_x64", True)
jax.config.update("jax_enable_compilation_cache", False)

import numpy as np  # noqa: E402
from mbi import DatavectorQuery, Domain, LinearMeasurement, WeightedQuery  # noqa: E402
from mbi.estimation import MirrorDescent, minimum_variance_unbiased_total  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


def weighted_total(records):
    """generators.md §3.2 with diagonal query weights q: each measurement estimates the total by
    sum(y/q) with variance sigma^2 * sum(1/q^2); N̂ = max(1, inverse-variance weighted mean)."""
    num = den = 0.0
    for r in records:
        q = np.array(r.get("weights") or [1.0] * len(r["y"]))
        var = r["sigma"] ** 2 * float(np.sum(1.0 / q**2))
        num += float(np.sum(np.array(r["y"]) / q)) / var
        den += 1.0 / var
    return max(1.0, num / den)


def fit(name, iterations, total):
    """Run mbi on tests/golden/<name>_measurements.jsonl, write <name>_marginals.json."""
    records = [json.loads(line) for line in (GOLDEN / f"{name}_measurements.jsonl").read_text().splitlines() if line.strip()]
    one_way = {r["clique"][0]: len(r["y"]) for r in records if len(r["clique"]) == 1}
    attrs = sorted(one_way)
    domain = Domain(attrs, [one_way[a] for a in attrs])
    measurements = []
    for r in records:
        y = np.array(r["y"], dtype=np.float64)
        query = WeightedQuery(np.array(r["weights"], dtype=np.float64)) if r.get("weights") else DatavectorQuery()
        measurements.append(LinearMeasurement(y, tuple(r["clique"]), stddev=float(r["sigma"]), query=query))
    nhat = minimum_variance_unbiased_total(measurements) if total == "mbi" else weighted_total(records)
    model = MirrorDescent().estimate(domain, measurements, known_total=nhat, iters=iterations)
    cliques = [tuple(r["clique"]) for r in records if len(r["clique"]) == 2]
    marginals = [np.asarray(model.project(c).datavector(), dtype=np.float64) for c in cliques]
    loss = 0.0
    for r in records:
        mu = np.asarray(model.project(tuple(r["clique"])).datavector(), dtype=np.float64)
        q = np.array(r.get("weights") or [1.0] * len(r["y"]))
        diff = (q * mu - np.array(r["y"])) / r["sigma"]
        loss += 0.5 * float(diff @ diff)
    out = {
        "source": f"scripts/golden_pgm.py: mbi MirrorDescent (jax_enable_x64) on tests/golden/{name}_measurements.jsonl",
        "mbi_version": importlib.metadata.version("mbi"),
        "jax_version": jax.__version__,
        "iterations": iterations,
        "total": "mbi minimum_variance_unbiased_total" if total == "mbi" else "weighted_total (this script)",
        "nhat": nhat,
        "final_loss": loss,
        "cliques": [list(c) for c in cliques],
        "marginals": [m.tolist() for m in marginals],
    }
    (GOLDEN / f"{name}_marginals.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"{name}: N̂ = {nhat!r}, final loss = {loss!r}, {len(cliques)} cliques")


def main():
    # Label-star: identity queries, mbi's own N̂, 1000 iterations as in generators.md §9.
    fit("pgm", 1000, "mbi")
    # MST: compressed 1-way measurements are weighted queries, which mbi leaves out of its total,
    # so both sides use the §3.2 total with weights; more iterations so both reach the optimum
    # (mbi routes 1-way measurements to the smallest clique, bench to the first: the paths differ).
    fit("pgm_mst", 3000, "weighted")


if __name__ == "__main__":
    main()
