#!/usr/bin/env bash
# Screenshots of the HTML report in a real headless browser, on screen and printed to PDF:
#
#   scripts/report_screenshots.sh OUT_DIR [BENCH]
#
# Runs two small grids with BENCH (default target/release/bench): a simulated one (sim-brca)
# and, when ../shared/datasets is present, a real one (TCGA-BRCA, JEGN matrix, 476 × 139); both
# with identity, multivariate, private-pgm and dp-gaussian at ε = 1 and 10, camda2025 + camda2026.
# For each report it writes OUT_DIR/<grid>.png (1400 × 3000 window), OUT_DIR/<grid>.pdf (printed
# with the print stylesheet) and OUT_DIR/<grid>-page-N.png (pdftoppm, 60 dpi).
# Needs chromium and poppler-utils (Debian: apt-get install -y chromium poppler-utils).
set -euo pipefail
out="${1:?usage: $0 OUT_DIR [BENCH]}"
bench="${2:-target/release/bench}"
root="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
work="$(mktemp -d)"
profile="$(mktemp -d)"
trap 'rm -rf "$work" "$profile"' EXIT

grid() { # name, dataset lines
    cat <<TOML
name = "$1"
metrics = ["camda2025", "camda2026"]
[protocol]
folds = 5
seeds = [1]
[[datasets]]
$2
[[generators]]
name = "identity"
kind = "identity"
[[generators]]
name = "multivariate"
kind = "multivariate"
[[generators]]
name = "pgm"
kind = "private-pgm"
epsilons = [1, 10]
[[generators]]
name = "dp-gaussian"
kind = "dp-gaussian"
epsilons = [1, 10]
TOML
}
grid report-demo $'name = "sim-brca"\nseed = 1' > "$work/report-demo.toml"
grids=(report-demo)
real="$root/../shared/datasets/tcga_brca_pam50_jegn/data.csv"
if [ -f "$real" ]; then
    grid report-real "name = \"tcga-brca-jegn\"
format = \"tidy\"
path = \"$(cd "$(dirname "$real")" && pwd)/data.csv\"" > "$work/report-real.toml"
    grids+=(report-real)
fi

chrome() {
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$profile" --hide-scrollbars "$@" 2>/dev/null
}
for g in "${grids[@]}"; do
    "$bench" run "$work/$g.toml" --out "$work/results" --quiet
    html="$work/results/$g/report.html"
    chrome --screenshot="$out/$g.png" --window-size=1400,3000 "file://$html"
    chrome --print-to-pdf="$out/$g.pdf" --no-pdf-header-footer "file://$html"
    pdftoppm -png -r 60 "$out/$g.pdf" "$out/$g-page"
    echo "$g: $out/$g.png, $out/$g.pdf ($(ls "$out/$g-page"*.png | wc -l) pages)"
done
