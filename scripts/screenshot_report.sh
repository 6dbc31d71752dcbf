#!/usr/bin/env bash
# Take a headless-browser screenshot of a bench report, to look at it without a desktop.
#
#   scripts/screenshot_report.sh RESULTS_DIR/report.html [OUT.png] [HEIGHT]
#
# Installs Debian's chromium (apt-get install -y chromium) when no chromium is on PATH.
# The browser runs without network access of its own (background networking, component
# updates, sync and QUIC disabled) and with a throw-away profile directory.
set -euo pipefail

html="${1:?usage: $0 REPORT_HTML [OUT_PNG] [HEIGHT]}"
out="${2:-${html%.html}.png}"
height="${3:-3000}"
[ -f "$html" ] || { echo "error: $html: no such file" >&2; exit 1; }

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
    echo "chromium not found; installing Debian's chromium package" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
    browser="$(command -v chromium)"
fi

profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
abs_html="$(cd "$(dirname "$html")" && pwd)/$(basename "$html")"
abs_out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars \
    --screenshot="$abs_out" --window-size=1400,"$height" "file://$abs_html" 2>/dev/null
[ -s "$abs_out" ] || { echo "error: no screenshot written to $abs_out" >&2; exit 1; }
echo "$abs_out"
