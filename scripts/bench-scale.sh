#!/usr/bin/env bash
# Measures the real ops-tui binary against the simulator's `scale` scenario:
# time to the first complete frame, resident memory after load and after
# churn, CPU while idle and under churn, and keypress-to-frame latency.
#
# For each pod count in PODS it starts
#   ops-tui demo --serve --scenario scale --deployments D --pods P \
#       --namespaces N --port 0
# (127.0.0.1 only), runs `ops-tui --kubeconfig K --context demo -n scale`
# (with ALL=1: `-A`, every namespace) in a 160x48 pseudo-terminal driven by an inline python3 script (a small
# terminal emulator reads the screen), and generates churn with kubectl
# (`rollout restart` of one Deployment after another). Every duration is
# bounded; every process started here is stopped on exit.
#
# Environment (defaults finish in a few minutes):
#   BIN             ops-tui binary             [target/release/ops-tui]
#   DEPLOYMENTS     Deployments                [500]
#   PODS            pod counts, space-separated [1000 5000 20000 100000]
#   NAMESPACES      namespaces the scenario spreads its workloads over [1];
#                   the console watches the first, `scale`, unless ALL=1
#   ALL=1           the console watches every namespace (`-A`)
#   METRICS=0       the simulator serves no metrics API (on by default)
#   LARGE=1         the large tier: DEPLOYMENTS=2000 PODS=100000
#                   NAMESPACES=50 ALL=1, metrics on
#   IDLE_SECS       idle CPU window            [10]
#   CHURN_SECS      churn duration             [30]
#   CHURN_INTERVAL  seconds between restarts   [1]
#   KEYS            keypresses under churn     [60]
#   IDLE_KEYS       keypresses while idle      [20]
#   SETTLE_SECS     wait after the pods show, before "after load" [3]
#   FULL=1          IDLE_SECS=60, CHURN_SECS=600, KEYS=600
#   OPS_TUI_KUBECTL kubectl binary             [kubectl on PATH]

set -euo pipefail

cd "$(dirname "$0")/.."

BIN=${BIN:-target/release/ops-tui}
if [[ ${LARGE:-0} == 1 ]]; then
    DEPLOYMENTS=${DEPLOYMENTS:-2000}
    PODS=${PODS:-100000}
    NAMESPACES=${NAMESPACES:-50}
    ALL=${ALL:-1}
fi
DEPLOYMENTS=${DEPLOYMENTS:-500}
PODS=${PODS:-"1000 5000 20000 100000"}
NAMESPACES=${NAMESPACES:-1}
ALL=${ALL:-0}
METRICS=${METRICS:-1}
if [[ ${FULL:-0} == 1 ]]; then
    IDLE_SECS=${IDLE_SECS:-60}
    CHURN_SECS=${CHURN_SECS:-600}
    KEYS=${KEYS:-600}
fi
IDLE_SECS=${IDLE_SECS:-10}
CHURN_SECS=${CHURN_SECS:-30}
CHURN_INTERVAL=${CHURN_INTERVAL:-1}
KEYS=${KEYS:-60}
IDLE_KEYS=${IDLE_KEYS:-20}
SETTLE_SECS=${SETTLE_SECS:-3}
KUBECTL=${OPS_TUI_KUBECTL:-$(command -v kubectl || true)}

if [[ ! -x $BIN ]]; then
    echo "no $BIN: build it first (cargo build --release)" >&2
    exit 2
fi
if [[ -z $KUBECTL ]]; then
    echo "note: no kubectl (set OPS_TUI_KUBECTL or put it on PATH): no churn" >&2
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ops-tui-bench.XXXXXX")
DEMO_PID=
DRIVER_PID=

stop() {
    local pid=$1
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    stop "$DRIVER_PID"
    stop "$DEMO_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# The pseudo-terminal driver: args are key=value pairs (see `opt` below).
read -r -d '' DRIVER <<'PY' || true
import os, pty, queue, re, signal, statistics, struct, subprocess, sys, termios
import threading, time, fcntl, unicodedata

# The reader thread must get the interpreter soon after its read returns,
# or its timestamps would include the emulator's parsing.
sys.setswitchinterval(0.0005)

opt = dict(a.split("=", 1) for a in sys.argv[1:])
ROWS, COLS = 48, 160
TCK = os.sysconf("SC_CLK_TCK")
n_dep, n_pods = int(opt["deployments"]), int(opt["pods"])


def stop_on_term(*_):
    raise SystemExit(143)


signal.signal(signal.SIGTERM, stop_on_term)


class Screen:
    """Enough of a VT100 for crossterm's output: cursor moves, erase,
    text; colours are ignored."""

    def __init__(self):
        self.grid = [[" "] * COLS for _ in range(ROWS)]
        self.r = self.c = 0
        self.pending = ""
        self.replies = []

    def feed(self, text):
        s = self.pending + text
        self.pending = ""
        i, n = 0, len(s)
        while i < n:
            ch = s[i]
            if ch == "\x1b":
                if i + 1 >= n:
                    self.pending = s[i:]
                    return
                nxt = s[i + 1]
                if nxt == "[":
                    j = i + 2
                    while j < n and not ("\x40" <= s[j] <= "\x7e"):
                        j += 1
                    if j >= n:
                        self.pending = s[i:]
                        return
                    self.csi(s[i + 2:j], s[j])
                    i = j + 1
                elif nxt == "]":
                    j = i + 2
                    while j < n and s[j] != "\x07" and not s.startswith("\x1b\\", j):
                        j += 1
                    if j >= n:
                        self.pending = s[i:]
                        return
                    i = j + (1 if s[j] == "\x07" else 2)
                else:
                    i += 2
                continue
            if ch == "\r":
                self.c = 0
            elif ch == "\n":
                self.r = min(self.r + 1, ROWS - 1)
            elif ch == "\b":
                self.c = max(self.c - 1, 0)
            elif ch >= " ":
                w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
                if self.r < ROWS and self.c < COLS:
                    self.grid[self.r][self.c] = ch
                    if w == 2 and self.c + 1 < COLS:
                        self.grid[self.r][self.c + 1] = ""
                self.c += w
            i += 1

    def csi(self, params, final):
        priv = params.startswith("?")
        nums = [int(p) if p.isdigit() else 0 for p in params.lstrip("?").split(";")]
        first = nums[0] if nums else 0
        if final in "Hf":
            self.r = max((nums[0] if nums and nums[0] else 1) - 1, 0)
            self.c = max((nums[1] if len(nums) > 1 and nums[1] else 1) - 1, 0)
        elif final == "J" and first == 2:
            self.grid = [[" "] * COLS for _ in range(ROWS)]
        elif final == "J" and first == 0:
            if self.r < ROWS:
                self.grid[self.r][self.c:] = [" "] * (COLS - self.c)
                for r in range(self.r + 1, ROWS):
                    self.grid[r] = [" "] * COLS
        elif final == "K" and self.r < ROWS:
            self.grid[self.r][self.c:] = [" "] * max(COLS - self.c, 0)
        elif final == "G":
            self.c = max(first - 1, 0)
        elif final == "d":
            self.r = max(first - 1, 0)
        elif final == "A":
            self.r = max(self.r - max(first, 1), 0)
        elif final == "B":
            self.r = min(self.r + max(first, 1), ROWS - 1)
        elif final == "C":
            self.c += max(first, 1)
        elif final == "D":
            self.c = max(self.c - max(first, 1), 0)
        elif final == "n" and first == 6:
            self.replies.append(f"\x1b[{self.r + 1};{self.c + 1}R")
        elif final == "c" and not priv:
            self.replies.append("\x1b[?1;2c")
        elif final == "u" and priv:
            self.replies.append("\x1b[?0u")

    def lines(self):
        return ["".join(row) for row in self.grid]


class Term:
    """The binary in a pseudo-terminal. One thread reads its output and
    stamps each chunk with its arrival time; another feeds the chunks to the
    screen, so that the time a frame is seen at is when its bytes arrived,
    not when this emulator finished parsing them."""

    def __init__(self, argv, env, cwd):
        self.start = time.monotonic()
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
            os.chdir(cwd)
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        self.screen = Screen()
        self.cond = threading.Condition()
        self.version = 0
        self.closed = False
        self.decoder = __import__("codecs").getincrementaldecoder("utf-8")("replace")
        self.chunks = queue.SimpleQueue()
        threading.Thread(target=self.read, daemon=True).start()
        threading.Thread(target=self.parse, daemon=True).start()

    def read(self):
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            self.chunks.put((time.monotonic(), data))
            if not data:
                return

    def parse(self):
        while True:
            arrived, data = self.chunks.get()
            with self.cond:
                if not data:
                    self.closed = True
                    self.cond.notify_all()
                    return
                self.screen.feed(self.decoder.decode(data))
                for reply in self.screen.replies:
                    os.write(self.fd, reply.encode())
                self.screen.replies.clear()
                self.version += 1
                self.at = arrived
                self.cond.notify_all()

    def wait(self, pred, timeout):
        """Seconds since monotonic zero when `pred(lines)` first held, or None."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                if pred(self.screen.lines()):
                    return getattr(self, "at", time.monotonic())
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    return None
                self.cond.wait(left)

    def key(self, data):
        os.write(self.fd, data)

    def stop(self):
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            end = time.monotonic() + wait
            while time.monotonic() < end:
                try:
                    if os.waitpid(self.pid, os.WNOHANG)[0]:
                        return
                except ChildProcessError:
                    return
                time.sleep(0.05)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_percent(pid, secs, during=None):
    t0, c0 = time.monotonic(), cpu_ticks(pid)
    if during:
        during()
    else:
        time.sleep(secs)
    t1, c1 = time.monotonic(), cpu_ticks(pid)
    return 100.0 * (c1 - c0) / TCK / (t1 - t0)


def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, max(0, int(round(p / 100 * len(s) + 0.5)) - 1))]


NAME = re.compile(r"(app|store|agent)-\d{4}")


ALL = opt.get("all") == "1"


def workload_names():
    """(kind, namespace, name) of every Deployment, StatefulSet and
    DaemonSet of the scenario (of every namespace with ALL), read with
    kubectl; without kubectl, the Deployments' names as the scenario makes
    them in its first namespace."""
    if opt.get("kubectl"):
        where = ["-A"] if ALL else ["-n", opt["namespace"]]
        try:
            out = subprocess.run(
                [opt["kubectl"], "--kubeconfig", opt["kubeconfig"], "--context", "demo",
                 *where, "--request-timeout=60s", "get", "deploy,sts,ds", "-o",
                 "jsonpath={range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name} {end}"],
                capture_output=True, text=True, timeout=90).stdout.split()
            found = [tuple(w.split("/", 2)) for w in out if w.count("/") == 2]
            if found:
                return found
        except (OSError, subprocess.SubprocessError):
            pass
    return [("Deployment", opt["namespace"], f"app-{i:04d}") for i in range(n_dep)]


WORKLOADS = workload_names()


def row_key(ns, name):
    """What the rows sort by: the name, qualified by its namespace when
    every namespace is shown."""
    return f"{ns}/{name}" if ALL else name


# All complete, the rows sort by name: the first and the last row (the
# screen shows the namespace in a column of its own).
first_name = min(WORKLOADS, key=lambda w: row_key(w[1], w[2]))[2]
last_name = max(WORKLOADS, key=lambda w: row_key(w[1], w[2]))[2]
DEPLOYMENT_NAMES = sorted((ns, name) for kind, ns, name in WORKLOADS if kind == "Deployment")
RUN = re.compile(r" \d+ run")


def live_with_rows(lines):
    return " LIVE " in lines[0] and any(NAME.search(l) for l in lines[1:])


def pods_shown(lines):
    return any(first_name in l and RUN.search(l) for l in lines)


def zoomed(lines):
    return any("zoomed" in l for l in lines)


def unzoomed(lines):
    return not zoomed(lines) and any("Health" in l for l in lines)


def press_toggle(term, timeout=3.0):
    """Presses z; returns the seconds until the screen shows the change."""
    want = unzoomed if zoomed(term.screen.lines()) else zoomed
    t0 = time.monotonic()
    term.key(b"z")
    at = term.wait(want, timeout)
    return None if at is None else at - t0


def lat(samples, misses):
    if not samples:
        return f"no samples ({misses} timed out)"
    return (f"p50 {pct(samples, 50) * 1000:.1f} ms, p99 {pct(samples, 99) * 1000:.1f} ms, "
            f"max {max(samples) * 1000:.1f} ms over {len(samples)} presses"
            + (f", {misses} timed out" if misses else ""))


def result(out, churn_lat):
    """One line for the summary table; "-" where nothing was measured."""
    def ms(s, q):
        return f"{pct(s, q) * 1000:.1f}" if s else "-"

    def num(key, fmt):
        return format(out[key], fmt) if out.get(key) is not None else "-"

    print("RESULT "
          f"{n_dep} {n_pods} {out['first'] * 1000:.0f} {num('rss_load', '.1f')} "
          f"{num('rss_churn', '.1f')} {num('cpu_idle', '.2f')} {num('cpu_churn', '.1f')} "
          f"{ms(out['lat_idle'], 50)} {ms(out['lat_idle'], 99)} "
          f"{ms(churn_lat, 50)} {ms(churn_lat, 99)}")


def main():
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XDG_", "KUBECONFIG", "OPS_TUI_"))}
    env.update(HOME=opt["home"], TERM="xterm-256color", LANG="C.UTF-8")
    argv = [opt["bin"], "--kubeconfig", opt["kubeconfig"], "--context", "demo",
            *(["-A"] if ALL else ["-n", opt["namespace"]])]
    out = {}
    running = []
    term = Term(argv, env, opt["home"])
    try:
        at = term.wait(live_with_rows, 60)
        if at is None:
            print("  the first complete frame did not come within 60 s; screen:")
            print("\n".join(l.rstrip() for l in term.screen.lines()))
            return 1
        out["first"] = at - term.start
        print(f"  first complete frame (LIVE, workloads listed): {out['first'] * 1000:.0f} ms")
        at = term.wait(pods_shown, 60)
        out["pods"] = None if at is None else at - term.start
        print("  pods counted in the rows: "
              + ("not within 60 s" if at is None else f"{out['pods'] * 1000:.0f} ms"))
        # The last row: end selects it, enter opens its workload view.
        term.key(b"\x1b[F")
        time.sleep(0.2)
        term.key(b"\r")
        listed = term.wait(lambda ls: any(last_name in l for l in ls[:4]), 10) is not None
        print(f"  all {len(WORKLOADS)} workloads listed (end, enter opens {last_name}): "
              + ("yes" if listed else "NOT SEEN; screen:"))
        if not listed:
            print("\n".join(l.rstrip() for l in term.screen.lines()))
        term.key(b"\x1b")
        term.wait(unzoomed, 10)
        term.key(b"\x1b[H")
        term.wait(lambda ls: any(first_name in l for l in ls), 10)
        time.sleep(float(opt["settle"]))
        out["rss_load"] = rss_mb(term.pid)
        print(f"  resident memory after load: {out['rss_load']:.1f} MB")

        idle = float(opt["idle"])
        out["cpu_idle"] = cpu_percent(term.pid, idle)
        print(f"  CPU idle over {idle:.0f} s: {out['cpu_idle']:.2f}% of one core")

        samples, misses = [], 0
        for _ in range(int(opt["idle_keys"])):
            d = press_toggle(term)
            if d is None:
                misses += 1
            else:
                samples.append(d)
            time.sleep(0.1)
        out["lat_idle"] = samples
        print(f"  keypress to frame, idle: {lat(samples, misses)}")

        churn_secs = float(opt["churn"])
        kubectl = opt.get("kubectl", "")
        if not kubectl or churn_secs <= 0:
            print("  churn: not run (no kubectl, or CHURN_SECS=0)")
            result(out, [])
            return 0
        stop = threading.Event()
        done = {"ok": 0, "failed": 0}
        kenv = dict(env, KUBECONFIG=opt["kubeconfig"])

        def churn():
            k = 0
            interval = float(opt["interval"])
            while not stop.is_set():
                t = time.monotonic()
                ns, name = DEPLOYMENT_NAMES[(k * 7) % len(DEPLOYMENT_NAMES)]
                k += 1
                child = subprocess.Popen(
                    [kubectl, "--context", "demo", "-n", ns,
                     "--request-timeout=20s", "rollout", "restart", f"deployment/{name}"],
                    env=kenv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                running.append(child)
                try:
                    done["ok" if child.wait(timeout=30) == 0 else "failed"] += 1
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
                    done["failed"] += 1
                running.remove(child)
                stop.wait(max(0.0, interval - (time.monotonic() - t)))

        keys = int(opt["keys"])
        rss_series = []
        samples, misses = [], 0

        def under_churn():
            nonlocal misses
            worker = threading.Thread(target=churn, daemon=True)
            worker.start()
            t0 = time.monotonic()
            gap = churn_secs / max(keys, 1)
            next_rss = t0
            for i in range(keys):
                target = t0 + (i + 1) * gap
                if time.monotonic() >= next_rss:
                    rss_series.append(rss_mb(term.pid))
                    next_rss += max(churn_secs / 10, 1)
                d = press_toggle(term)
                if d is None:
                    misses += 1
                else:
                    samples.append(d)
                time.sleep(max(0.0, target - time.monotonic()))
            while time.monotonic() < t0 + churn_secs:
                time.sleep(0.1)
            stop.set()
            worker.join(40)

        demo = int(opt["demo_pid"])
        d0, t0 = cpu_ticks(demo), time.monotonic()
        out["cpu_churn"] = cpu_percent(term.pid, churn_secs, under_churn)
        demo_cpu = 100.0 * (cpu_ticks(demo) - d0) / TCK / (time.monotonic() - t0)
        out["rss_churn"] = rss_mb(term.pid)
        print(f"  churn: {done['ok']} rollout restarts ({done['failed']} failed) over {churn_secs:.0f} s")
        print(f"  CPU under churn: {out['cpu_churn']:.1f}% of one core"
              f" (the simulator: {demo_cpu:.1f}%)")
        print(f"  resident memory during churn (MB): "
              + " ".join(f"{m:.1f}" for m in rss_series))
        print(f"  resident memory after {churn_secs:.0f} s of churn: {out['rss_churn']:.1f} MB")
        print(f"  keypress to frame, under churn: {lat(samples, misses)}")
        result(out, samples)
        return 0
    finally:
        for child in list(running):
            child.kill()
        term.stop()


sys.exit(main())
PY

run_size() {
    local pods=$1 log="$WORK/demo-$1.log"
    local metrics=()
    [[ $METRICS == 1 ]] || metrics=(--no-metrics)
    echo "== $DEPLOYMENTS workloads, $pods pods, $NAMESPACES namespace(s)," \
        "$([[ $ALL == 1 ]] && echo "every namespace (-A)" || echo "one namespace")," \
        "metrics $([[ $METRICS == 1 ]] && echo on || echo off)"
    : >"$log"
    "$BIN" demo --serve --scenario scale --deployments "$DEPLOYMENTS" --pods "$pods" \
        --namespaces "$NAMESPACES" "${metrics[@]}" --port 0 >"$log" 2>&1 &
    DEMO_PID=$!
    local waited=0
    until grep -q "Ctrl-C stops" "$log"; do
        if ! kill -0 "$DEMO_PID" 2>/dev/null || ((waited >= 1200)); then
            echo "  the simulator did not start; its output:" >&2
            cat "$log" >&2
            return 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    local kubeconfig namespace
    kubeconfig=$(awk '$1 == "kubeconfig" { print $2; exit }' "$log")
    namespace=$(sed -n 's/.*scenario scale, namespace \([a-z0-9-]*\),.*/\1/p' "$log" | head -n 1)
    namespace=${namespace:-scale}
    mkdir -p "$WORK/home"
    python3 -u -c "$DRIVER" bin="$(realpath "$BIN")" kubeconfig="$kubeconfig" \
        namespace="$namespace" deployments="$DEPLOYMENTS" pods="$pods" \
        idle="$IDLE_SECS" idle_keys="$IDLE_KEYS" churn="$CHURN_SECS" \
        interval="$CHURN_INTERVAL" keys="$KEYS" settle="$SETTLE_SECS" \
        kubectl="$KUBECTL" home="$WORK/home" demo_pid="$DEMO_PID" all="$ALL" > >(tee -a "$WORK/results") &
    DRIVER_PID=$!
    wait "$DRIVER_PID" || true
    DRIVER_PID=
    stop "$DEMO_PID"
    DEMO_PID=
}

echo "machine: $(nproc) cores, $(free -m | awk '/^Mem:/ { print $2 " MB" }') memory;" \
    "idle ${IDLE_SECS}s, churn ${CHURN_SECS}s (a rollout restart every ${CHURN_INTERVAL}s)"
for pods in $PODS; do
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    run_size "$pods"
done

echo
echo "deployments pods first_frame_ms rss_load_mb rss_churn_mb cpu_idle_% cpu_churn_%" \
    "key_idle_p50_ms key_idle_p99_ms key_churn_p50_ms key_churn_p99_ms"
grep '^RESULT ' "$WORK/results" | cut -d' ' -f2- || echo "(no complete run)"
