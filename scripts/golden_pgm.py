"""Golden values for tests/golden_pgm.rs: mbi's mirror descent on bench's label-star measurements.

Reads tests/golden/pgm_measurements.jsonl (written by
`cargo test --test golden_pgm -- --ignored regenerate`), runs mbi 2.0.0's MirrorDescent
(JAX, float64) for ITERATIONS iterations with the minimum-variance total, and writes
tests/golden/pgm_marginals.json: N̂, the final loss (recomputed here in numpy from mbi's
marginals), and every (gene, label) clique marginal flattened in C order.

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
from mbi import Domain, LinearMeasurement  # noqa: E402
from mbi.estimation import MirrorDescent, minimum_variance_unbiased_total  # noqa: E402

ITERATIONS = 1000
ROOT = pathlib.Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"


def main():
    records = [json.loads(line) for line in (GOLDEN / "pgm_measurements.jsonl").read_text().splitlines() if line.strip()]
    one_way = {tuple(r["clique"]): len(r["y"]) for r in records if len(r["clique"]) == 1}
    attrs = sorted(a for (a,) in one_way)
    domain = Domain(attrs, [one_way[(a,)] for a in attrs])
    measurements = [
        LinearMeasurement(np.array(r["y"], dtype=np.float64), tuple(r["clique"]), stddev=float(r["sigma"]))
        for r in records
    ]
    nhat = minimum_variance_unbiased_total(measurements)
    model = MirrorDescent().estimate(domain, measurements, known_total=nhat, iters=ITERATIONS)
    cliques = [tuple(r["clique"]) for r in records if len(r["clique"]) == 2]
    marginals = [np.asarray(model.project(c).datavector(), dtype=np.float64) for c in cliques]
    loss = 0.0
    for r in records:
        mu = np.asarray(model.project(tuple(r["clique"])).datavector(), dtype=np.float64)
        diff = (mu - np.array(r["y"])) / r["sigma"]
        loss += 0.5 * float(diff @ diff)
    out = {
        "source": "scripts/golden_pgm.py: mbi MirrorDescent (jax_enable_x64) on tests/golden/pgm_measurements.jsonl",
        "mbi_version": importlib.metadata.version("mbi"),
        "jax_version": jax.__version__,
        "iterations": ITERATIONS,
        "nhat": nhat,
        "final_loss": loss,
        "cliques": [list(c) for c in cliques],
        "marginals": [m.tolist() for m in marginals],
    }
    (GOLDEN / "pgm_marginals.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"N̂ = {nhat!r}, final loss = {loss!r}, {len(cliques)} cliques")


if __name__ == "__main__":
    main()
