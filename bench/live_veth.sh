#!/bin/bash
# live_veth.sh — packets per second through `bpfrt net attach` on veth
# pairs (issue 10), against the kernel forwarding the same path.
#
#   A:eth0 ==veth== M:vA  [bpfrt netns_fw: count, redirect]  M:vB ==veth== B:eth0
#
# A sends 60-byte UDP frames as fast as one sendmmsg loop goes (netns_tool
# blast, 64 flows) for SECONDS; bpfrt's final counters give frames received
# and redirected per second, B's interface counter what arrived.  Then the
# same with the kernel's bridge in M instead of bpfrt (the path's ceiling on
# this machine).  Needs root.  The numbers are bounded by veth and the
# kernel's AF_PACKET work, not by the program; the sender shares the CPUs.
#
# Usage: bench/live_veth.sh BUILD_DIR [SECONDS] [WORKERS...]
#   e.g. bench/live_veth.sh /tmp/build 3 1 2
set -u
B=${1:?usage: $0 BUILD_DIR [SECONDS] [WORKERS...]}
SECS=${2:-3}
shift 2 2>/dev/null
WORKERS=${*:-1 2}
BPFRT=$B/bpfrt
TOOL=$B/tests/hooks/netns_tool
OBJ=$B/tests/hooks/live_obj/netns_fw.o
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }
for f in "$BPFRT" "$TOOL" "$OBJ"; do [ -e "$f" ] || { echo "missing $f (build bpfrt_tool netns_tool)"; exit 1; }; done

S=bpfrtbench$$
NA=${S}a NB=${S}b NM=${S}m
ROOT=$(mktemp -d)
PID=""
cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	for n in "$NA" "$NB" "$NM"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$ROOT"
}
trap cleanup EXIT

for n in "$NA" "$NB" "$NM"; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip -n "$NM" link add vA type veth peer name eth0 netns "$NA"
ip -n "$NM" link add vB type veth peer name eth0 netns "$NB"
ip netns exec "$NM" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6'
ip -n "$NA" addr add 10.0.0.1/24 dev eth0
ip -n "$NB" addr add 10.0.0.2/24 dev eth0
for n in "$NA:eth0" "$NB:eth0" "$NM:vA" "$NM:vB"; do
	ip netns exec "${n%%:*}" "$TOOL" offload-off "${n#*:}"
	ip -n "${n%%:*}" link set "${n#*:}" up
done
ifindex() { ip -n "$1" -o link show "$2" | cut -d: -f1; }
le32() { printf '%d %d %d %d' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
b_rx() { ip netns exec "$NB" cat /sys/class/net/eth0/statistics/rx_packets; }

export BPFRT_PIN_ROOT=$ROOT
"$BPFRT" prog loadall "$OBJ" "$ROOT/prog" pinmaps "$ROOT/maps"
IA=$(ifindex "$NM" vA)
IB=$(ifindex "$NM" vB)
"$BPFRT" map update pinned "$ROOT/maps/peer" key $(le32 "$IA") value $(le32 "$IB")
"$BPFRT" map update pinned "$ROOT/maps/peer" key $(le32 "$IB") value $(le32 "$IA")

echo "# $(date -u '+%F %H:%M') $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); ${SECS} s per run"
printf '%-26s %12s %12s %12s %12s %10s\n' "path" "sent/s" "bpfrt rx/s" "redirect/s" "B rx/s" "ring drops"
for eng in jit interp; do
	for w in $WORKERS; do
		ip netns exec "$NM" "$BPFRT" -j --engine $eng net attach xdp pinned "$ROOT/prog/netns_fw" dev vA dev vB \
			workers "$w" -q >"$ROOT/stats" 2>"$ROOT/err" &
		PID=$!
		sleep 0.5
		b0=$(b_rx)
		sent=$(ip netns exec "$NA" "$TOOL" blast eth0 "$SECS")
		sleep 0.1
		b1=$(b_rx)
		kill -INT "$PID"
		wait "$PID"
		PID=""
		rx=$(sed -n 's/.*"rx":{"packets":\([0-9]*\).*/\1/p' "$ROOT/stats")
		red=$(sed -n 's/.*"redirect":{"packets":\([0-9]*\).*/\1/p' "$ROOT/stats")
		drops=$(sed -n 's/.*"ring_drops":\([0-9]*\).*/\1/p' "$ROOT/stats")
		[ -n "${LIVE_BENCH_DEBUG:-}" ] && cat "$ROOT/stats" >&2
		printf '%-26s %12d %12d %12d %12d %10d\n' "bpfrt $eng, $w worker(s)" $((sent / SECS)) $((rx / SECS)) \
			$((red / SECS)) $(((b1 - b0) / SECS)) "$drops"
	done
done

# The kernel's own forwarding of the same path: a bridge in M.
ip -n "$NM" link add br0 type bridge
ip -n "$NM" link set vA master br0
ip -n "$NM" link set vB master br0
ip -n "$NM" link set br0 up
sleep 0.5
b0=$(b_rx)
sent=$(ip netns exec "$NA" "$TOOL" blast eth0 "$SECS")
sleep 0.1
b1=$(b_rx)
printf '%-26s %12d %12s %12s %12d %10s\n' "kernel bridge in M" $((sent / SECS)) - - $(((b1 - b0) / SECS)) -
