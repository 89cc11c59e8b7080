#!/bin/sh
# demo.sh — `make demo`: assemble two small programs, show their
# disassembly, run them in the interpreter (fast and bounds-checked) and
# print the results with bpftool's timing line; then compile a C XDP
# program with clang, load and pin it, run it from another process and dump
# its BTF-typed map from a third.
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

# A C program compiled by clang, loaded and pinned by one process, run by a
# second, its BTF-typed map dumped by a third: objects shared through pins.
CLANG=$(command -v clang-19 || true)
if [ -n "$CLANG" ]; then
	echo
	echo "== xdp_count.bpf.c: clang-19 -target bpf, loaded, pinned, run, map dumped (three processes)"
	export BPFRT_PIN_ROOT="$TMP/pins"
	mkdir -p "$BPFRT_PIN_ROOT"
	"$CLANG" -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c "$DIR/c/xdp_count.bpf.c" -o "$TMP/xdp_count.o"
	"$BPFRT" prog loadall "$TMP/xdp_count.o" "$BPFRT_PIN_ROOT/demo" pinmaps "$BPFRT_PIN_ROOT/demo/maps"
	# Ethernet + IPv4 + UDP, 42 bytes.
	printf '\002\000\000\000\000\001\002\000\000\000\000\002\010\000\105\000\000\034\000\000\000\000\100\021\000\000\012\000\000\001\012\000\000\002\004\322\000\065\000\010\000\000' >"$TMP/udp.pkt"
	"$BPFRT" prog run pinned "$BPFRT_PIN_ROOT/demo/xdp_count" data_in "$TMP/udp.pkt" repeat 1000
	"$BPFRT" map dump pinned "$BPFRT_PIN_ROOT/demo/maps/counters"
else
	echo
	echo "(clang-19 not found: skipping the C program part of the demo)"
fi
