#!/usr/bin/env bash
# Makes docs/dashboard.svg, the README's picture, from the real product:
# `ops-tui demo` (the go-live scenario) in a detached tmux session of 120x32,
# a fault injected from the demo's fault menu (the api error rate raised by
# 20%) once the rollout has finished, the screen captured with its colours
# once the error-rate alert fires, and turned into SVG by scripts/ansi2svg.py.
#
#   scripts/screenshot.sh              # builds the debug binary first
#   OPS_TUI_BIN=target/release/ops-tui scripts/screenshot.sh
#   OUT=/tmp/screen.svg scripts/screenshot.sh
#
# Needs tmux and python3. The demo runs with a journal, config and data
# directory of its own (removed afterwards) and the user name `ann`, so
# nothing of yours shows. tmux runs on a socket of its own and is stopped
# on the way out; your tmux sessions are not touched.
set -euo pipefail
cd "$(dirname "$0")/.."

COLS=${COLS:-120}
ROWS=${ROWS:-32}
OUT=${OUT:-docs/dashboard.svg}

command -v tmux >/dev/null || { echo "screenshot.sh needs tmux" >&2; exit 1; }
command -v python3 >/dev/null || { echo "screenshot.sh needs python3" >&2; exit 1; }

if [ -z "${OPS_TUI_BIN:-}" ]; then
  cargo build --locked --quiet
  OPS_TUI_BIN=target/debug/ops-tui
fi

work=$(mktemp -d)
socket="ops-tui-screenshot-$$"
tm() { tmux -u -f /dev/null -L "$socket" "$@"; }
cleanup() {
  tm kill-server 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

screen() { tm capture-pane -p -t shot; }

# Waits until the screen shows $1 (a fixed string), at most $2 seconds.
wait_for() {
  local text=$1 limit=$2 waited=0
  until screen | grep -qF -- "$text"; do
    if [ "$waited" -ge $((limit * 4)) ]; then
      echo "screenshot.sh: \"$text\" did not appear within ${limit}s; the screen was:" >&2
      screen >&2
      exit 1
    fi
    sleep 0.25
    waited=$((waited + 1))
  done
}

mkdir -p "$work/data" "$work/config"
tm new-session -d -s shot -x "$COLS" -y "$ROWS" \
  env -u NO_COLOR USER=ann LOGNAME=ann TZ=UTC \
  OPS_TUI_DATA_DIR="$work/data" OPS_TUI_CONFIG_DIR="$work/config" \
  "$OPS_TUI_BIN" demo

# Connected, and the release of api rolled out.
wait_for "LIVE" 60
wait_for "complete api" 120
# Rehearse: raise the api error rate from the fault menu.
tm send-keys -t shot F
wait_for "Rehearse an incident" 10
tm send-keys -t shot Down Down
wait_for "▸ raise the api error rate" 10
tm send-keys -t shot Enter
# The error rate fails, items regress, and the alert fires after its `for`.
wait_for "firing  ApiHighErrorRate" 180
sleep 1

mkdir -p "$(dirname "$OUT")"
tm capture-pane -e -p -t shot > "$work/screen.ansi"
tm send-keys -t shot q
python3 scripts/ansi2svg.py --cols "$COLS" --rows "$ROWS" \
  --title "ops-tui demo: the go-live dashboard during a rehearsed incident" \
  "$work/screen.ansi" > "$OUT"
echo "wrote $OUT ($(wc -c < "$OUT") bytes)"
