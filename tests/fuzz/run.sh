#!/bin/sh
# run.sh — `make fuzz`: run each libFuzzer target of BUILD_DIR for a fixed
# time over a scratch copy of its seed corpus (new inputs never land in the
# repository).  A crash, leak, UB report, timeout or OOM fails the run; the
# input is kept in BUILD_DIR/fuzz-artifacts/ to be added to corpus/ as a
# regression seed once fixed.
#   usage: run.sh BUILD_DIR LOADER_SECONDS BTF_SECONDS [VERIFIER_SECONDS]
# fuzz_verifier (verifier soundness, vsound.c) runs when VERIFIER_SECONDS
# is given; it stops on the first verifier escape and prints the program.
set -e
build=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/fuzz-artifacts"
artifacts=$(cd "$build/fuzz-artifacts" && pwd)
# run_one TARGET SECONDS: one libFuzzer run; non-zero when it found something.
run_one() {
  target=$1
  secs=$2
  work=$(mktemp -d "${TMPDIR:-/tmp}/bpfrt-fuzz-$target-XXXXXX")
  cp "$here/corpus/$target/"* "$work/"
  echo "fuzz: $target for ${secs}s over $(ls "$work" | wc -l) seeds (libFuzzer -seed=${FUZZ_SEED:-1}; replay with FUZZ_SEED=N make fuzz)"
  # A fixed seed (FUZZ_SEED, default 1): a CI run can be replayed.
  rc=0
  if "$build/tests/fuzz/fuzz_$target" -seed="${FUZZ_SEED:-1}" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=25 \
      -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$artifacts/$target-" \
      "$work" >"$work.log" 2>&1; then
    grep -E "^Done|stat::number_of_executed_units|stat::new_units_added" "$work.log" | sed "s/^/fuzz: $target: /"
  else
    rc=1
    echo "fuzz: $target FAILED (input in $artifacts/); the report:"
    grep -vE "^#[0-9]+|^INFO:|^\s*$" "$work.log" | tail -60
  fi
  rm -rf "$work" "$work.log"
  return $rc
}

status=0
# The verifier soundness fuzzer (the longest) runs beside the loader and BTF
# fuzzers, one per core, its report printed after theirs.
vpid=
vout=
if [ -n "$4" ]; then
  vout=$(mktemp "${TMPDIR:-/tmp}/bpfrt-fuzz-verifier-out-XXXXXX")
  run_one verifier "$4" >"$vout" 2>&1 &
  vpid=$!
fi
run_one loader "$2" || status=1
run_one btf "$3" || status=1
if [ -n "$vpid" ]; then
  wait "$vpid" || status=1
  cat "$vout"
  rm -f "$vout"
fi
exit $status
