#!/bin/sh
# demo.sh — `make demo`: assemble two small programs, show their
# disassembly, run them in the interpreter (fast and bounds-checked) and
# print the results with bpftool's timing line.
set -e
BPFRT=${1:-build/bpfrt}
DIR=$(dirname "$0")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== fib.s: the 90th Fibonacci number (expect 2880067194370816120)"
"$BPFRT" asm "$DIR/asm/fib.s" -o "$TMP/fib.bin"
"$BPFRT" disasm "$TMP/fib.bin"
"$BPFRT" prog run file "$TMP/fib.bin" repeat 100000   # retval is r0 truncated to 32 bits, as bpftool prints it
"$BPFRT" -j prog run file "$TMP/fib.bin" repeat 100000 checked

echo
echo "== checksum.s: Internet checksum of 1500 bytes"
head -c 1500 /dev/urandom > "$TMP/pkt.bin"
"$BPFRT" asm "$DIR/asm/checksum.s" -o "$TMP/csum.bin"
"$BPFRT" prog run file "$TMP/csum.bin" data_in "$TMP/pkt.bin" repeat 10000
"$BPFRT" prog run file "$TMP/csum.bin" data_in "$TMP/pkt.bin" repeat 10000 checked

echo
echo "== a bounds violation caught by the checked interpreter"
printf 'ldxdw %%r0, [%%r1+1496]\nexit\n' > "$TMP/oob.s"
"$BPFRT" prog run file "$TMP/oob.s" data_in "$TMP/pkt.bin" checked || echo "(exit code $? as expected)"
