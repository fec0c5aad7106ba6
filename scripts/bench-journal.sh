#!/usr/bin/env bash
# Measures the real ops-tui binary on long journals: for each size it
# generates a journal (about a year of a busy service: check changes,
# actions in four steps, notes, ticks and unticks, milestones; about 200
# bytes a line), opens the dashboard on it in a 160x48 pseudo-terminal and
# prints the time to the first frame showing the checklist's newest tick
# and the peak resident set (VmHWM), then runs `ops-tui report` on it and
# prints its time and peak resident set. Each is run RUNS times; the
# median is printed. Every process started here is stopped on exit.
#
# Environment:
#   BIN    ops-tui binary                      [target/release/ops-tui]
#   SIZES  journal sizes in MB, space-separated [20 200 1024]
#   RUNS   runs per measurement                 [3]
#   REPORT 0 to skip `report`                   [1]

set -euo pipefail

cd "$(dirname "$0")/.."

BIN=${BIN:-target/release/ops-tui}
SIZES=${SIZES:-"20 200 1024"}
RUNS=${RUNS:-3}
REPORT=${REPORT:-1}

if [[ ! -x $BIN ]]; then
    echo "no $BIN: build it first (cargo build --release)" >&2
    exit 2
fi
BIN=$(realpath "$BIN")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ops-tui-bench-journal.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM HUP

cat >"$WORK/ops-tui.toml" <<'TOML'
[service]
name = "shop"

[env.prod]
context = "prod"

[[phase]]
name = "Go-live"
items = ["Step 01", "Step 02", "Step 03", "Step 04", "Step 05", "Step 06",
         "Step 07", "Step 08", "Step 09", "Step 10", "Step 11", "Step 12"]

[[phase]]
name = "Daily"
every = "1d"
items = ["Logs clean", "Backups verified"]
TOML

read -r -d '' GENERATE <<'PY' || true
import sys, time
path, size = sys.argv[1], int(sys.argv[2]) << 20
start = int(time.time()) - 365 * 86400
users = ["ann", "bob", "cy"]
written, i = 0, 0
with open(path, "w", buffering=1 << 20) as out:
    while written < size:
        lines = []
        for _ in range(10000):
            t = start + i * 6
            at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
            user = users[i % 3]
            step = i % 12 + 1
            k = i % 20
            if k <= 8:
                ok = i % 2 == 0
                line = ('{"at":"%s","user":"%s","kind":"check","check":"probe:p%d","status":"%s","text":"probe p%d: %s (HTTP %d)"}'
                        % (at, user, i % 7, "ok" if ok else "fail", i % 7, "ok" if ok else "failing", 200 if ok else 503))
            elif k <= 12:
                kind = ["preview", "dry_run", "confirmed", "outcome"][k - 9]
                line = ('{"at":"%s","user":"%s","kube_user":"admin","kind":"action","id":"act-%d","step":"%s","summary":"scale deployment/api from 3 to 5","request":{"verb":"PATCH","path":"/apis/apps/v1/namespaces/shop/deployments/api/scale","body":{"spec":{"replicas":5}}},"ok":true}'
                        % (at, user, i // 20, kind))
            elif k <= 14:
                line = ('{"at":"%s","user":"%s","kind":"note","text":"note %d: checked the dashboards, nothing unusual","item":"go-live/step-%02d"}'
                        % (at, user, i, step))
            elif k == 15:
                line = ('{"at":"%s","user":"%s","kind":"tick","item":"go-live/step-%02d","text":"Step %02d","evidence":[{"kind":"probe","name":"health","status":"ok","value":"200"}]}'
                        % (at, user, step, step))
            elif k == 16:
                day = time.strftime("%Y-%m-%d", time.gmtime(t))
                line = ('{"at":"%s","user":"%s","kind":"tick","item":"daily/logs-clean","text":"Logs clean","run":"%s"}'
                        % (at, user, day))
            elif k == 17:
                line = '{"at":"%s","user":"%s","kind":"milestone","milestone":"detected"}' % (at, user)
            elif k == 18:
                line = '{"at":"%s","user":"%s","kind":"milestone","milestone":"resolved"}' % (at, user)
            else:
                line = '{"at":"%s","user":"%s","kind":"note","text":"a note on the whole, number %d"}' % (at, user, i)
            lines.append(line)
            i += 1
        text = "\n".join(lines) + "\n"
        out.write(text)
        written += len(text)
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    for step in range(1, 13):
        out.write('{"at":"%s","user":"ann","kind":"untick","item":"go-live/step-%02d"}\n' % (now, step))
    out.write('{"at":"%s","user":"dora","kind":"tick","item":"go-live/step-03","text":"Step 03"}\n' % now)
PY

# Opens the dashboard in a pseudo-terminal; prints "seconds kB" once the
# newest tick shows (its author, "dora"), then quits it.
read -r -d '' OPEN <<'PY' || true
import os, pty, select, signal, sys, time, struct, fcntl, termios
binary, runbook, data = sys.argv[1:4]
env = dict(os.environ, TERM="xterm-256color", OPS_TUI_DATA_DIR=data,
           OPS_TUI_CONFIG_DIR=data + "/config", KUBECONFIG=data + "/none", USER="ann")
start = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.execve(binary, [binary, "--runbook", runbook], env)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 48, 160, 0, 0))
seen, first = b"", None
deadline = start + 120
while time.monotonic() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if not r:
        continue
    try:
        chunk = os.read(fd, 65536)
    except OSError:
        break
    seen = (seen + chunk)[-200000:]
    # The newest tick's author, shown once the journal is read.
    if first is None and b"dora" in seen:
        first = time.monotonic() - start
        break
hwm = 0
time.sleep(1)
with open("/proc/%d/status" % pid) as f:
    for line in f:
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
os.write(fd, b"q")
end = time.monotonic() + 10
while time.monotonic() < end:
    done, _ = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    try:
        select.select([fd], [], [], 0.2) and os.read(fd, 65536)
    except OSError:
        pass
else:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
print("%s %d" % ("%.2f" % first if first is not None else "none", hwm))
PY

# Runs a command; prints "seconds kB" (its peak resident set).
read -r -d '' MEASURE <<'PY' || true
import resource, subprocess, sys, time
start = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print("%.2f %d" % (time.monotonic() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
PY

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

printf '%-8s %-10s %18s %14s %14s %14s\n' size lines "first frame (s)" "RSS (MB)" "report (s)" "report (MB)"
for size in $SIZES; do
    data="$WORK/data-$size"
    journal="$data/journals/shop/prod.jsonl"
    mkdir -p "$(dirname "$journal")"
    python3 -c "$GENERATE" "$journal" "$size"
    lines=$(wc -l <"$journal")
    : >"$WORK/open" ; : >"$WORK/report"
    for _ in $(seq "$RUNS"); do
        python3 -c "$OPEN" "$BIN" "$WORK/ops-tui.toml" "$data" >>"$WORK/open"
        if [[ $REPORT == 1 ]]; then
            OPS_TUI_DATA_DIR=$data OPS_TUI_CONFIG_DIR=$data/config \
                python3 -c "$MEASURE" "$BIN" report --runbook "$WORK/ops-tui.toml" -o "$WORK/report.md" >>"$WORK/report"
        fi
    done
    t=$(cut -d' ' -f1 "$WORK/open" | median)
    m=$(cut -d' ' -f2 "$WORK/open" | median)
    rt=- rm_=-
    if [[ $REPORT == 1 ]]; then
        rt=$(cut -d' ' -f1 "$WORK/report" | median)
        rm_=$(cut -d' ' -f2 "$WORK/report" | median)
        rm_=$((rm_ / 1024))
    fi
    printf '%-8s %-10s %18s %14s %14s %14s\n' "${size}MB" "$lines" "$t" "$((m / 1024))" "$rt" "$rm_"
    rm -rf "$data"
done
