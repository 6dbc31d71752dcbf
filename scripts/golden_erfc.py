"""Golden values for bench's in-repo erfc and standard normal CDF (src/numeric/special.rs).

Writes tests/golden/erfc.json: pairs [x, f(x)] as decimal strings. Each x is an exact float64
and f(x) is computed by mpmath at 40 significant digits, then rounded to the nearest float64
(printed with repr, which round-trips).

Run from the repository root:  python3 scripts/golden_erfc.py
"""
import json

import mpmath
import numpy as np

mpmath.mp.dps = 40

xs = sorted(set(
    [float(v) for v in np.linspace(-6.0, 27.0, 67)]
    + [0.0, 1e-300, 1e-8, 0.1, 0.3, 0.47, 0.5, 0.72, 0.9, 0.999, 1.0, 1.001, 1.1, 1.5, 2.0, 3.7, 26.5]
))
zs = sorted(set([float(v) for v in np.linspace(-38.0, 9.0, 95)] + [-1.959963984540054, 1.959963984540054]))

out = {
    "source": "scripts/golden_erfc.py, mpmath %s at %d digits" % (mpmath.__version__, mpmath.mp.dps),
    "erfc": [[repr(x), repr(float(mpmath.erfc(mpmath.mpf(x))))] for x in xs],
    "phi": [[repr(z), repr(float(mpmath.ncdf(mpmath.mpf(z))))] for z in zs],
}
with open("tests/golden/erfc.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
