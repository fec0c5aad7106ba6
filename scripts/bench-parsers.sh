#!/usr/bin/env bash
# Times the real ops-tui binary on generated inputs at 1x, 10x and 100x
# sizes, to show that the theme and keymap loaders, the runbook checks and
# the importer grow linearly with their input:
#
#   theme     a user theme with N unknown colour names (one warning each)
#   keymap    a user keymap with N entries that do not parse (one warning each)
#   runbook   a runbook with N items naming a probe it lacks (N errors)
#   guide     a Markdown guide of N KiB (headings, task lists, shell blocks)
#   curl      a guide with one shell block of N `curl` commands
#   rules     a guide with N alert rules and N items that speak of latency,
#             errors, alert rules and a rule by name (the binding of items)
#
# The theme and keymap are loaded by `ops-tui validate` (which loads every
# user theme and keymap), the runbook by `ops-tui validate`, the guides by
# `ops-tui import`. Each size runs RUNS times; the median wall time is
# printed with the peak resident memory, and the ratio 100x/1x per input
# (linear growth gives about 100). A run is cut off after LIMIT seconds.
# The 100x sizes stay within the caps (10,000 keys, entries and items;
# 16 MiB and 10,000 commands for a guide); OVER=1 also runs each input at
# 400x, past its cap, to show the cap's error and how fast it comes.
#
# Environment:
#   BIN    ops-tui binary                     [target/release/ops-tui]
#   RUNS   runs per size                      [3]
#   LIMIT  seconds before a run is cut off    [120]
#   ONLY   inputs to run, space-separated     [theme keymap runbook guide curl]
#   OVER=1 also run 400x (past the caps)

set -euo pipefail

cd "$(dirname "$0")/.."

BIN=${BIN:-target/release/ops-tui}
RUNS=${RUNS:-3}
LIMIT=${LIMIT:-120}
ONLY=${ONLY:-"theme keymap runbook guide curl rules"}
SCALES="1 10 100"
if [[ ${OVER:-0} == 1 ]]; then
    SCALES="1 10 100 400"
fi

if [[ ! -x $BIN ]]; then
    echo "no $BIN: run cargo build --release first (or set BIN)" >&2
    exit 2
fi
BIN=$(realpath "$BIN")

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# Base sizes (the 1x input).
declare -A BASE=([theme]=100 [keymap]=100 [runbook]=100 [guide]=80 [curl]=100 [rules]=100)
declare -A UNIT=([theme]="keys" [keymap]="entries" [runbook]="errors" [guide]="KiB" [curl]="commands" [rules]="rules+items")

# Writes the input of KIND at size N under DIR; prints the command to run.
generate() {
    local kind=$1 n=$2 dir=$3
    mkdir -p "$dir/config/themes" "$dir/config/keymaps"
    cat >"$dir/ok.toml" <<'EOF'
[service]
name = "bench"

[env.prod]
context = "prod"
namespace = "bench"
EOF
    python3 - "$kind" "$n" "$dir" <<'PY'
import sys
kind, n, d = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if kind == "theme":
    with open(f"{d}/config/themes/big.toml", "w") as f:
        f.write("[colors]\n")
        for i in range(n):
            f.write(f'unknown_colour_{i} = "red"\n')
elif kind == "keymap":
    with open(f"{d}/config/keymaps/big.toml", "w") as f:
        f.write("[list]\n")
        for i in range(n):
            f.write(f'"no-such-key-{i}" = "quit"\n')
elif kind == "runbook":
    with open(f"{d}/big.toml", "w") as f:
        f.write('[service]\nname = "bench"\n\n[env.prod]\ncontext = "prod"\nnamespace = "bench"\n\n')
        f.write('[[probe]]\nname = "health"\nurl = "https://example.com/health"\n\n')
        f.write('[[phase]]\nname = "Go-live"\nitems = [\n')
        for i in range(n):
            f.write(f'  {{ text = "item {i}", check = "probe:missing-{i}" }},\n')
        f.write("]\n")
elif kind == "guide":
    target = n * 1024
    out = ["# Bench service deployment\n\n"]
    size, s = len(out[0]), 0
    while size < target:
        part = (
            f"## Section {s}: health and rollout\n\n"
            f"- [ ] Health endpoint {s} responds with 200\n"
            f"- [ ] Error rate below 1% after step {s}\n"
            f"- [ ] Rollout {s} complete in namespace bench\n\n"
            "```bash\n"
            f"kubectl -n bench rollout status deployment/api-{s % 50}\n"
            f"curl -s https://api.example.com/health/{s % 50}\n"
            "```\n\n"
            + f"Some prose about step {s}, what to look for and who to call. " * 24
            + "\n\n"
        )
        out.append(part)
        size += len(part.encode())
        s += 1
    with open(f"{d}/guide.md", "w") as f:
        f.write("".join(out))
elif kind == "curl":
    with open(f"{d}/guide.md", "w") as f:
        f.write("# Bench service deployment\n\n## Checks\n\n- [ ] Health responds\n\n```bash\n")
        for i in range(n):
            f.write(f"curl -s https://api{i % 7}.example.com/health/{i}\n")
        f.write("```\n")
elif kind == "rules":
    with open(f"{d}/guide.md", "w") as f:
        f.write("# Bench service deployment\n\n```yaml\ngroups:\n  - name: bench\n    rules:\n")
        for i in range(n):
            f.write(
                f"      - alert: BenchLatencyP{i % 90 + 10}Shard{i}High\n"
                f"        expr: histogram_quantile(0.{i % 90 + 10}, rate(x_bucket{{shard=\"{i}\"}}[5m])) > 0.5\n"
            )
        f.write("```\n\n## Go-live\n\n")
        for i in range(n):
            f.write(
                f"- [ ] p99 latency of shard{i} under 300 ms, error ratio below 1%, "
                f"BenchLatencyP99Shard{i}High loaded and no alert firing\n"
            )
PY
    case $kind in
        theme) echo "validate $dir/ok.toml --theme big" ;;
        keymap) echo "validate $dir/ok.toml --keymap big" ;;
        runbook) echo "validate $dir/big.toml" ;;
        guide | curl | rules) echo "import $dir/guide.md -o $dir/out.toml" ;;
    esac
}

# Runs the command RUNS times (EXPECT: its exit code when all is well);
# prints "median_ms peak_kb status".
measure() {
    local dir=$1 cmd=$2 expect=$3 times=() peak=0 status=ok
    for _ in $(seq "$RUNS"); do
        local start end rc=0
        start=$(date +%s%N)
        # shellcheck disable=SC2086
        OPS_TUI_CONFIG_DIR=$dir/config OPS_TUI_DATA_DIR=$dir/data \
            /usr/bin/time -f "%M" -o "$dir/rss" timeout "$LIMIT" "$BIN" $cmd >"$dir/out" 2>&1 || rc=$?
        end=$(date +%s%N)
        if [[ $rc == 124 ]]; then
            status="cut off after ${LIMIT}s"
            times+=($((LIMIT * 1000)))
            break
        fi
        if [[ $rc != "$expect" ]]; then
            status="exit $rc: $(grep -m1 -i 'error' "$dir/out" | cut -c1-100)"
        elif [[ $rc != 0 ]]; then
            status="exit $rc: $(tail -1 "$dir/out" | sed 's/.*: //')"
        fi
        times+=($(((end - start) / 1000000)))
        local rss
        rss=$(tail -1 "$dir/rss" 2>/dev/null || echo 0)
        [[ $rss =~ ^[0-9]+$ ]] && ((rss > peak)) && peak=$rss
    done
    local median
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    echo "$median $peak $status"
}

printf '%-8s %6s %10s %12s %10s  %s\n' input scale size "median ms" "peak MB" status
for kind in $ONLY; do
    first=""
    for scale in $SCALES; do
        n=$((BASE[$kind] * scale))
        dir=$WORK/$kind-$scale
        cmd=$(generate "$kind" "$n" "$dir")
        expect=0
        [[ $kind == runbook ]] && expect=2
        read -r ms kb status < <(measure "$dir" "$cmd" "$expect")
        printf '%-8s %5sx %10s %12s %10s  %s\n' "$kind" "$scale" "$n ${UNIT[$kind]}" "$ms" \
            "$(awk -v k="$kb" 'BEGIN {printf "%.1f", k / 1024}')" "$status"
        [[ $scale == 1 ]] && first=$ms
        if [[ $scale == 100 ]]; then
            awk -v a="$first" -v b="$ms" -v k="$kind" \
                'BEGIN {printf "%-8s 100x/1x: %.1f\n", k, (a > 0 ? b / a : 0)}'
        fi
        rm -rf "$dir"
    done
done
