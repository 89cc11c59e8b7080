#!/bin/bash
# netns_xdp.sh — issue 10's acceptance test of `bpfrt net attach`: two
# network namespaces talk through bpfrt running an XDP firewall on live
# interfaces.
#
#   A (eth0: 10.0.0.1, 10.0.0.3) ==veth== M:vA   [bpfrt]   M:vB ==veth== B (eth0: 10.0.0.2)
#
# M has no addresses, no bridge and no forwarding: a frame crosses only if
# bpfrt's program redirects it (tests/hooks/netns_fw.bpf.c: per-source
# counters, a blocked-address map; A->B frames leave through a DEVMAP_HASH
# entry (bpf_redirect_map), B->A frames through bpf_redirect).  Checks: ping
# A->B passes; a 300,000-byte TCP transfer arrives byte-exact; pings from
# the blocked 10.0.0.3 fail; then other processes read the pinned maps:
# exactly 3 packets from 10.0.0.3, at least the traffic sent from 10.0.0.1;
# the per-CPU verdict counts agree with bpfrt's own final counters.
#
# Needs root, `ip netns`, ping and the clang-built object, else skips (77).
# Namespaces, processes and files are removed on every exit (trap).
# Usage: netns_xdp.sh BPFRT NETNS_TOOL OBJDIR
set -u
BPFRT=${1:?usage: $0 BPFRT NETNS_TOOL OBJDIR}
TOOL=${2:?}
OBJ=${3:?}/netns_fw.o

skip() {
	echo "SKIP: $*"
	exit 77
}
[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, veth pairs)"
command -v ip >/dev/null || skip "ip (iproute2) not installed"
command -v ping >/dev/null || skip "ping (iputils-ping) not installed"
[ -f "$OBJ" ] || skip "$OBJ not built (clang-19 missing)"

S=bpfrt$$
NA=${S}a NB=${S}b NM=${S}m
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/bpfrt-netns.XXXXXX")
W=$ROOT/work
mkdir -p "$W"
PID=""
SERVER=""
FAILS=0

cleanup() {
	[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null
	[ -n "$SERVER" ] && kill -KILL "$SERVER" 2>/dev/null
	wait 2>/dev/null
	for n in "$NA" "$NB" "$NM"; do ip netns del "$n" 2>/dev/null; done
	rm -rf "$ROOT"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# ---- the namespaces --------------------------------------------------
for n in "$NA" "$NB" "$NM"; do
	ip netns add "$n" 2>/dev/null || skip "can't create network namespaces (ip netns add)"
	ip -n "$n" link set lo up
done
ip netns exec "$NM" true 2>/dev/null || skip "can't enter network namespaces (ip netns exec)"
ip -n "$NM" link add vA type veth peer name eth0 netns "$NA" || skip "can't create veth pairs"
ip -n "$NM" link add vB type veth peer name eth0 netns "$NB"
# M stays silent: no IPv6 link-local chatter of its own.
ip netns exec "$NM" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6' 2>/dev/null
ip -n "$NA" addr add 10.0.0.1/24 dev eth0
ip -n "$NA" addr add 10.0.0.3/24 dev eth0
ip -n "$NB" addr add 10.0.0.2/24 dev eth0
# Segmentation offloads off on both ends: with them a veth hands AF_PACKET
# 64 KiB TCP frames (see docs/architecture.md, "Live interfaces").  A keeps
# checksum offload: its TCP frames reach bpfrt with unfinished checksums,
# which bpfrt must complete (hooks/live_csum.c) for B to accept them.
ip netns exec "$NA" "$TOOL" tso-off eth0 || fail "tso-off A"
for n in "$NB:eth0" "$NM:vA" "$NM:vB"; do
	ip netns exec "${n%%:*}" "$TOOL" offload-off "${n#*:}" || fail "offload-off $n"
done
for n in "$NA:eth0" "$NB:eth0" "$NM:vA" "$NM:vB"; do
	ip -n "${n%%:*}" link set "${n#*:}" up
done
ifindex() { ip -n "$1" -o link show "$2" | cut -d: -f1; }
IA=$(ifindex "$NM" vA)
IB=$(ifindex "$NM" vB)
le32() { printf '%d %d %d %d' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }

# ---- the program, its maps, bpfrt in M --------------------------------
export BPFRT_PIN_ROOT=$ROOT/pins
mkdir -p "$BPFRT_PIN_ROOT"
P=$BPFRT_PIN_ROOT
"$BPFRT" prog loadall "$OBJ" "$P/prog" pinmaps "$P/maps" || { fail "prog loadall"; exit 1; }
# A->B through the device map (bpf_redirect_map), B->A through bpf_redirect.
# A device map takes only devices of the updater's namespace: update in M.
ip netns exec "$NM" "$BPFRT" map update pinned "$P/maps/tx_port" key $(le32 "$IA") value $(le32 "$IB") || fail "tx_port A->B"
"$BPFRT" map update pinned "$P/maps/peer" key $(le32 "$IB") value $(le32 "$IA") || fail "peer B->A"
"$BPFRT" map update pinned "$P/maps/blocked" key 10 0 0 3 value 1 0 0 0 || fail "blocked 10.0.0.3"

ip netns exec "$NM" "$BPFRT" -j net attach xdp pinned "$P/prog/netns_fw" dev vA dev vB -q \
	>"$W/stats.json" 2>"$W/attach.err" &
PID=$!

# Ready once a ping crosses (the rings open in a few ms).
ready=0
for _ in $(seq 1 20); do
	if ip netns exec "$NA" ping -c 1 -W 0.25 -q 10.0.0.2 >/dev/null 2>&1; then
		ready=1
		break
	fi
	kill -0 "$PID" 2>/dev/null || break
done
[ $ready = 1 ] || { fail "no ping crossed bpfrt: $(cat "$W/attach.err")"; exit 1; }

# ---- traffic ---------------------------------------------------------
ip netns exec "$NA" ping -c 3 -i 0.2 -W 1 -q 10.0.0.2 >"$W/ping.out" 2>&1 ||
	fail "ping 10.0.0.1 -> 10.0.0.2 through bpfrt: $(cat "$W/ping.out")"

BYTES=300000
ip netns exec "$NB" "$TOOL" tcp-serve 10.0.0.2 5001 $BYTES >"$W/tcp.out" 2>&1 &
SERVER=$!
ip netns exec "$NA" "$TOOL" tcp-send 10.0.0.2 5001 $BYTES || fail "TCP send through bpfrt"
wait "$SERVER" || fail "TCP transfer through bpfrt: $(cat "$W/tcp.out")"
SERVER=""
grep -q "received $BYTES bytes, content exact" "$W/tcp.out" || fail "TCP content: $(cat "$W/tcp.out")"

if ip netns exec "$NA" ping -c 3 -i 0.2 -W 1 -q -I 10.0.0.3 10.0.0.2 >"$W/ping3.out" 2>&1; then
	fail "ping from the blocked 10.0.0.3 passed"
fi

# ---- the counters, read by other processes -----------------------------
# `map lookup -j` of a BTF map: {"key":..,"value":..,"formatted":{..,"value":{"packets":N,"bytes":N}}}
field() { sed -n "s/.*\"formatted\".*\"$1\":\([0-9]*\).*/\1/p"; }
C3=$("$BPFRT" -j map lookup pinned "$P/maps/counters" key 10 0 0 3)
[ "$(echo "$C3" | field packets)" = 3 ] || fail "10.0.0.3 should have sent exactly 3 packets: $C3"
[ "$(echo "$C3" | field bytes)" = 294 ] || fail "10.0.0.3's 3 echo requests are 3 x 98 bytes: $C3"
C1=$("$BPFRT" -j map lookup pinned "$P/maps/counters" key 10 0 0 1)
p1=$(echo "$C1" | field packets)
b1=$(echo "$C1" | field bytes)
# 4+ echo requests and the TCP stream (300,000 bytes in 1448-byte segments).
[ "${p1:-0}" -ge 211 ] || fail "10.0.0.1's packets: $C1"
[ "${b1:-0}" -ge $BYTES ] || fail "10.0.0.1's bytes: $C1"

kill -INT "$PID"
wait "$PID"
rc=$?
PID=""
[ $rc = 0 ] || fail "bpfrt net attach exited $rc: $(cat "$W/attach.err")"
[ -s "$W/attach.err" ] && fail "-q, yet stderr: $(cat "$W/attach.err")"
STATS=$(cat "$W/stats.json")
# bpfrt's own counters against the program's per-CPU verdict counts.
verdict() { echo "$STATS" | sed -n "s/.*\"$1\":{\"packets\":\([0-9]*\).*/\1/p"; }
# Per-CPU: "formatted":{"key":K,"values":[{"cpu":0,"value":N},...]}, one slot per worker.
percpu_sum() {
	local sum=0 n
	for n in $("$BPFRT" -j map lookup pinned "$P/maps/verdicts" key "$1" 0 0 0 | sed 's/.*"formatted"//' |
		grep -o '"value":[0-9]*' | cut -d: -f2); do
		sum=$((sum + n))
	done
	echo $sum
}
for v in drop:1 redirect:4; do
	name=${v%%:*}
	mine=$(verdict "$name")
	prog=$(percpu_sum "${v#*:}")
	[ -n "$mine" ] && [ "$mine" = "$prog" ] || fail "$name: bpfrt counted '$mine', the program's per-CPU map '$prog'"
done
[ "$(verdict drop)" = 3 ] || fail "3 drops expected: $STATS"
echo "$STATS" | grep -q '"oversize":0' || fail "oversize frames (offloads on?): $STATS"
echo "$STATS" | grep -q '"faults":0' || fail "faults: $STATS"

if [ $FAILS != 0 ]; then
	echo "netns_xdp: $FAILS failures" >&2
	exit 1
fi
echo "netns_xdp: ok (A<->B through bpfrt: ping, $BYTES-byte TCP, 10.0.0.3 dropped x3; $STATS)"
