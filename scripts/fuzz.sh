#!/usr/bin/env bash
# Runs the cargo-fuzz targets under fuzz/ for a bounded time each and
# reports, per target, how many inputs ran and whether one crashed.
#
#   scripts/fuzz.sh                  every target
#   scripts/fuzz.sh runbook journal  the targets named
#
# Environment:
#   FUZZ_SECS           seconds of fuzzing per target (default 60)
#   FUZZ_SANITIZER      none (default) or address. The parsers and loaders
#                       under test are safe Rust, whose panics, hangs and
#                       memory blow-ups libFuzzer catches either way;
#                       AddressSanitizer adds checks of the unsafe code in
#                       dependencies at three to four times fewer
#                       executions a second
#   FUZZ_CODEGEN_UNITS  codegen units of the instrumented build (default
#                       16: a much shorter build for slightly slower runs)
#
# The targets build with a stable toolchain: RUSTC_BOOTSTRAP=1 allows the
# unstable flags (-Zsanitizer and the coverage passes) that libFuzzer needs.
# They build in fuzz/target/<sanitizer>. Each target's corpus is
# fuzz/corpus/<target>, seeded from fuzz/seeds/<target> (and for import,
# the guides in ../shared/guides when it is there); crashing inputs go
# to fuzz/artifacts/<target>/ and each run's libFuzzer output to
# fuzz/target/fuzz-logs/<target>.log. The script exits non-zero when a
# target crashed (a panic, one input running past 10 s, or memory past
# 2 GB), naming the input that did it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz_dir=$root/fuzz
secs=${FUZZ_SECS:-60}
sanitizer=${FUZZ_SANITIZER:-none}
codegen_units=${FUZZ_CODEGEN_UNITS:-16}
all_targets=(runbook condition threshold import keymap theme journal)

if ! [[ $secs =~ ^[1-9][0-9]*$ ]]; then
    echo "FUZZ_SECS must be a positive number of seconds, not \"$secs\"" >&2
    exit 2
fi
if ! [[ $codegen_units =~ ^[1-9][0-9]*$ ]]; then
    echo "FUZZ_CODEGEN_UNITS must be a positive number, not \"$codegen_units\"" >&2
    exit 2
fi
case $sanitizer in
    address | none) ;;
    *)
        echo "FUZZ_SANITIZER must be address or none, not \"$sanitizer\"" >&2
        exit 2
        ;;
esac

if (($# > 0)); then
    targets=("$@")
else
    targets=("${all_targets[@]}")
fi
for target in "${targets[@]}"; do
    known=false
    for t in "${all_targets[@]}"; do
        [[ $t == "$target" ]] && known=true
    done
    if ! $known; then
        echo "unknown fuzz target \"$target\" (targets: ${all_targets[*]})" >&2
        exit 2
    fi
done

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "== installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

# The same flags for the build and for every run, so a run does not
# rebuild; a target dir per sanitizer, so a change of sanitizer does not
# rebuild everything either.
build_flags=(
    --release --sanitizer "$sanitizer" --codegen-units "$codegen_units"
    --target-dir "target/$sanitizer"
)

# The targets keep their scratch files (user config dirs, a journal) under
# TMPDIR; this directory holds them and is removed on exit.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ops-tui-fuzz.XXXXXX")
trap 'rm -rf -- "$scratch"' EXIT

cd "$fuzz_dir"
log_dir=$fuzz_dir/target/fuzz-logs
mkdir -p "$log_dir"

echo "== building ${targets[*]} (sanitizer: $sanitizer)"
build_start=$SECONDS
if (($# > 0)); then
    for target in "${targets[@]}"; do
        cargo fuzz build "${build_flags[@]}" "$target"
    done
else
    cargo fuzz build "${build_flags[@]}"
fi
echo "== built in $((SECONDS - build_start)) s"

summary=()
failed=()
reproduce=()
for target in "${targets[@]}"; do
    corpus=corpus/$target
    mkdir -p "$corpus" "artifacts/$target"
    shopt -s nullglob
    seeds=("seeds/$target"/*)
    shopt -u nullglob
    # The importer is also seeded with the real deployment guides beside
    # the repository, read from there (their text is not copied into it).
    if [[ $target == import && -d $root/../shared/guides ]]; then
        shopt -s nullglob
        seeds+=("$root/../shared/guides"/*.md)
        shopt -u nullglob
    fi
    if ((${#seeds[@]} > 0)); then
        cp -- "${seeds[@]}" "$corpus"/
    fi

    log=$log_dir/$target.log
    echo "== fuzzing $target for $secs s (log: $log)"
    status=0
    TMPDIR=$scratch cargo fuzz run "${build_flags[@]}" "$target" "$corpus" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1 || status=$?

    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    execs=${execs:-?}
    if ((status == 0)); then
        result="ok"
    else
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
        if [[ -n $artifact ]]; then
            artifact=$(realpath -- "$artifact" 2>/dev/null || echo "$artifact")
            result="CRASHED: $artifact"
            reproduce+=("(cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ${build_flags[*]} $target $artifact)")
        else
            result="FAILED (exit $status, no crashing input written; see $log)"
        fi
        failed+=("$target")
        echo "-- $target: what went wrong (the whole output is in $log):"
        # The panic's message, or else libFuzzer's error (a timeout, an
        # out-of-memory, a sanitizer report).
        awk '
            /panicked at/ { panic = 1 }
            panic && (/^note: / || /^stack backtrace:/ || /^==[0-9]+==/) { exit }
            panic { print; if (++n == 60) exit }
            !panic && /ERROR: (libFuzzer|AddressSanitizer)/ { print; exit }
        ' "$log"
    fi
    line=$(printf '%-10s %12s executions  %s' "$target" "$execs" "$result")
    echo "$line"
    summary+=("$line")
done

echo
echo "== summary ($secs s per target, sanitizer: $sanitizer)"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]} > 0)); then
    echo "failed: ${failed[*]}" >&2
    if ((${#reproduce[@]} > 0)); then
        echo "reproduce with:" >&2
        printf '  %s\n' "${reproduce[@]}" >&2
    fi
    exit 1
fi
