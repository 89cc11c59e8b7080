#!/bin/sh
# demo.sh — `make demo`: assemble two small programs, show their
# disassembly, run them in the interpreter (fast and bounds-checked) and
# print the results with bpftool's timing line; then compile a C XDP
# program with clang, load and pin it, run it from another process and dump
# its BTF-typed map from a third; then the XDP firewall + load balancer of
# examples/xdp on a generated 300,000-packet capture with `bpfrt net run`.
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

# The XDP data plane of examples/xdp/lb.bpf.c (built by CMake with clang-19):
# a firewall tail-calling an L4 load balancer, on a generated capture.
EX=$(dirname "$BPFRT")/examples
if [ -f "$EX/lb.o" ]; then
	echo
	echo "== lb.bpf.c: XDP firewall (LPM block list, per-source rate) + Maglev L4 load balancer, 300,000 packets, 2 workers"
	export BPFRT_PIN_ROOT="$TMP/lbpins"
	mkdir -p "$BPFRT_PIN_ROOT"
	"$EX/bpfrt-gen-capture" "$TMP/demo.pcap" packets 300000 seed 1
	"$EX/bpfrt-lb-setup" "$EX/lb.o" max_packets 2000
	"$BPFRT" net run xdp file "$EX/lb.o" prog xdp_fw pcap "$TMP/demo.pcap" out "$TMP/lb-out.pcap" workers 2
	# Map contents, shared through the pins: counters by name, then the
	# per-backend split the Maglev tables gave.
	formatted() { "$BPFRT" -j map dump pinned "$BPFRT_PIN_ROOT/$1" | grep -o '"formatted":{[^}]*}*'; }
	echo "firewall:      $(formatted fw_stats | sed 's/.*"key":\([0-9]*\),"value":\([0-9]*\).*/\1 \2/' |
		awk 'BEGIN{split("passed blocked over-rate non-ip malformed",n)} {printf "%s %s  ", n[$1+1], $2}')"
	echo "balancer:      $(formatted lb_stats | sed 's/.*"key":\([0-9]*\),"value":\([0-9]*\).*/\1 \2/' |
		awk 'BEGIN{split("forwarded not-a-service no-backend",n)} {printf "%s %s  ", n[$1+1], $2}')"
	echo "backends (packets):"
	formatted backend_stats | sed 's/.*"key":\([0-9]*\),"value":{"packets":\([0-9]*\),"bytes":\([0-9]*\).*/\1 \2/' |
		awk '$2 > 0 {printf "  %-15s %6d", ($1 < 8 ? "10.1.0." : "2001:db8:1::") ($1 % 8) + 1, $2; if (++k % 4 == 0) print ""} END {if (k % 4) print ""}'
	echo "sources tracked by the firewall's LRU hash: $("$BPFRT" -j map dump pinned "$BPFRT_PIN_ROOT/fw_sources" | grep -o '"formatted"' | wc -l)"
else
	echo
	echo "(examples not built: skipping the XDP load balancer part of the demo)"
fi
