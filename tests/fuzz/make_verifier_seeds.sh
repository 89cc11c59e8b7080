#!/bin/sh
# make_verifier_seeds.sh — rebuild corpus/verifier, fuzz_verifier's seeds:
# the input bytes of the first 40 programs of seed 1 of verifier_soundness
# that the verifier accepts and that run cleanly (run by hand after
# changing the generator, vsound.c; the outputs are committed).  Regression
# inputs (crash-*, escape-*) are kept.
#   usage: make_verifier_seeds.sh BUILD_DIR
set -e
here=$(cd "$(dirname "$0")" && pwd)
rm -f "$here"/corpus/verifier/gen-*
"$1/tests/fuzz/verifier_soundness" --write-seeds "$here/corpus/verifier" 40
