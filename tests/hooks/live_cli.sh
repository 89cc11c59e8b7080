#!/bin/bash
# live_cli.sh — `bpfrt net attach` from the command line.
#
# Any user: bad input gets a clear error naming the culprit and exit 255
# (missing arguments, unknown device, unknown keyword, modes bpfrt lacks,
# non-XDP programs, files that are not objects); as root, also a user
# without CAP_NET_RAW (setpriv to nobody).
# Root (re-runs itself in a private network namespace, `unshare -n`):
#   - XDP_PASS into a TAP device: pings on lo reach the program, each passed
#     frame is written to the TAP (no drops, no write errors);
#   - XDP_TX on a veth: a reflector answers pings from the other end;
#   - a verdict that is no xdp_action counts as aborted;
#   - SIGTERM ends it with exit 0 and final counters; without -q a status
#     line per second on a non-TTY stderr.
#   - BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS: a copy out of every device
#     of a DEVMAP but the ingress one;
#   - a warning names an interface whose GRO merges frames.
# Usage: live_cli.sh BPFRT OBJDIR NETNS_TOOL
set -u
BPFRT=${1:?usage: $0 BPFRT OBJDIR NETNS_TOOL}
OBJDIR=${2:?}
TOOL=${3:?}
OBJ=$OBJDIR/live_progs.o
FAILS=0
fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

# ---- the root part, inside `unshare -n` -------------------------------
if [ "${LIVE_CLI_INNER:-}" = 1 ]; then
	W=$(mktemp -d "${TMPDIR:-/tmp}/bpfrt-live.XXXXXX")
	PID=""
	trap '[ -n "$PID" ] && kill -KILL $PID 2>/dev/null; rm -rf "$W"' EXIT
	export BPFRT_PIN_ROOT=$W
	ip link set lo up
	echo 1 >/proc/sys/net/ipv6/conf/all/disable_ipv6 2>/dev/null
	echo 1 >/proc/sys/net/ipv6/conf/default/disable_ipv6 2>/dev/null
	stop() { # stop bpfrt with SIGTERM, check exit 0
		kill -TERM "$PID"
		wait "$PID"
		local rc=$?
		PID=""
		[ $rc = 0 ] || fail "$1: exit $rc after SIGTERM: $(cat "$W/err")"
	}
	# Ready once the rings are bound: /proc/net/packet lists the
	# namespace's packet sockets with the ifindex they are bound to.
	wait_ready() { # IFACE
		local idx
		idx=$(ip -o link show "$1" | cut -d: -f1) # (/sys shows the first namespace's devices)
		for _ in $(seq 1 200); do
			awk -v i="$idx" 'NR > 1 && $4 == "0003" && $5 == i { n++ } END { exit !n }' /proc/net/packet && return 0
			kill -0 "$PID" 2>/dev/null || return 1
			sleep 0.05
		done
		return 1
	}
	num() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$W/out"; }
	verdict() { sed -n "s/.*\"$1\":{\"packets\":\([0-9]*\).*/\1/p" "$W/out"; }

	# XDP_PASS into a TAP device.
	"$BPFRT" -j net attach xdp file "$OBJ" prog live_pass dev lo tap bpfrtt0 -q >"$W/out" 2>"$W/err" &
	PID=$!
	for _ in $(seq 1 200); do ip link show bpfrtt0 >/dev/null 2>&1 && break; sleep 0.05; done
	ip link show bpfrtt0 | grep -q "UP" || fail "tap bpfrtt0 not created or not up: $(ip link show bpfrtt0 2>&1)"
	wait_ready lo || fail "no ring on lo: $(cat "$W/err")"
	ping -c 3 -i 0.2 -W 1 -q 127.0.0.1 >/dev/null || fail "ping on lo"
	stop "pass to tap"
	[ "$(verdict pass)" = 6 ] || fail "3 echo requests and 3 replies passed: $(cat "$W/out")"
	[ "$(num pass_dropped)" = 0 ] && [ "$(num tx_errors)" = 0 ] || fail "tap writes: $(cat "$W/out")"
	grep -q '"tap":"bpfrtt0"' "$W/out" || fail "tap name in JSON: $(cat "$W/out")"
	ip link show bpfrtt0 >/dev/null 2>&1 && fail "the TAP device outlived bpfrt"

	# XDP_TX: a reflector on v1 answers v0's pings (v0's stack replies to
	# its own reflected request, and that reply is reflected back to it).
	ip link add v0 type veth peer name v1
	ip addr add 10.9.0.1/24 dev v0
	ip link set v0 up
	ip link set v1 up
	ip neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev v0
	"$BPFRT" -j net attach xdp file "$OBJ" prog live_reflect dev v1 workers 1 >"$W/out" 2>"$W/err" &
	PID=$!
	wait_ready v1 || fail "no ring on v1: $(cat "$W/err")"
	ok=0
	for _ in $(seq 1 20); do ping -c 1 -W 0.25 -q 10.9.0.2 >/dev/null 2>&1 && { ok=1; break; }; done
	[ $ok = 1 ] || fail "no ping came back from the XDP_TX reflector: $(cat "$W/err")"
	ping -c 3 -i 0.2 -W 1 -q 10.9.0.2 >/dev/null || fail "ping through the XDP_TX reflector"
	sleep 1.2 # at least one status line
	stop "reflector"
	tx=$(verdict tx)
	[ "${tx:-0}" -ge 8 ] || fail "XDP_TX count (4+ pings, request and reply each): $(cat "$W/out")"
	[ "$(num tx_errors)" = 0 ] || fail "tx errors: $(cat "$W/out")"
	grep -q "^rx [0-9]* ([0-9]* pps)  pass 0  drop [0-9]*  tx [0-9]*" "$W/err" ||
		fail "no status line on stderr: $(cat "$W/err")"

	# A verdict that is no xdp_action: aborted, and counted as such.
	"$BPFRT" -j net attach xdp file "$OBJ" prog live_odd dev v1 -q >"$W/out" 2>"$W/err" &
	PID=$!
	wait_ready v1 || fail "no ring on v1: $(cat "$W/err")"
	ping -c 2 -i 0.2 -W 0.5 -q 10.9.0.2 >/dev/null && fail "ping through a program that returns 7"
	stop "odd verdict"
	[ "$(verdict aborted)" -ge 2 ] && [ "$(num bad_verdicts)" = "$(verdict aborted)" ] ||
		fail "verdict 7 counts as aborted: $(cat "$W/out")"
	# BPF_F_BROADCAST: a copy out of every device of the DEVMAP but the
	# ingress one: v0's pings leave through v3 and v5 (seen on v2, v4).
	le32() { printf '%d %d %d %d' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }
	rx() { ip -s -j link show "$1" | sed 's/.*"rx":{"bytes":[0-9]*,"packets":\([0-9]*\).*/\1/'; }
	ip link add v2 type veth peer name v3
	ip link add v4 type veth peer name v5
	for d in v2 v3 v4 v5; do ip link set "$d" up; done
	"$BPFRT" prog loadall "$OBJ" "$W/p" pinmaps "$W/m" || fail "prog loadall"
	k=0
	for d in v1 v3 v5; do
		"$BPFRT" map update pinned "$W/m/ports" key $k 0 0 0 value $(le32 "$(ip -o link show $d | cut -d: -f1)") ||
			fail "ports[$k] = $d"
		k=$((k + 1))
	done
	"$BPFRT" -j net attach xdp pinned "$W/p/live_bcast" dev v1 workers 1 -q >"$W/out" 2>"$W/err" &
	PID=$!
	wait_ready v1 || fail "no ring on v1: $(cat "$W/err")"
	r0=$(rx v0) r2=$(rx v2) r4=$(rx v4)
	ping -c 3 -i 0.2 -W 0.3 -q 10.9.0.2 >/dev/null
	sleep 0.2
	stop "broadcast"
	[ $(($(rx v2) - r2)) -ge 3 ] && [ $(($(rx v4) - r4)) -ge 3 ] ||
		fail "broadcast: v2 got $(($(rx v2) - r2)), v4 $(($(rx v4) - r4)) of 3+: $(cat "$W/out")"
	[ "$(rx v0)" = "$r0" ] || fail "broadcast came back to the ingress device"
	[ "$(verdict redirect)" -ge 3 ] && [ "$(num redirect_errors)" = 0 ] || fail "broadcast counters: $(cat "$W/out")"

	# GRO on: a warning naming the interface and the fix.
	"$TOOL" gro-on v1 || fail "gro-on v1"
	"$BPFRT" net attach xdp file "$OBJ" prog live_pass dev v1 workers 1 >"$W/out" 2>"$W/err" &
	PID=$!
	wait_ready v1 || fail "no ring on v1: $(cat "$W/err")"
	stop "GRO warning"
	grep -q "^bpfrt: warning: v1 has GRO on: .*ethtool -K v1 gro off$" "$W/err" || fail "no GRO warning: $(cat "$W/err")"
	[ $FAILS = 0 ] || exit 1
	exit 0
fi

if "$BPFRT" net help 2>&1 | grep -q "object 'net' is unknown"; then
	echo "SKIP: this bpfrt has no 'net' command (tools/bpfrt/cmd_net.c)"
	exit 77
fi

# check_err MESSAGE -- ARGS...: must fail with 255 and print this message.
check_err() {
	local want=$1
	shift 2
	local err rc
	err=$("$BPFRT" "$@" 2>&1 >/dev/null)
	rc=$?
	[ "$rc" = 255 ] || fail "bpfrt $*: exit $rc, want 255 ($err)"
	case "$err" in
	*"$want"*) ;;
	*) fail "bpfrt $*: stderr '$err', want '$want'" ;;
	esac
}

check_err "Usage: bpfrt net attach xdp PROG dev IFACE" -- net attach
check_err "Error: expected PROG" -- net attach xdp
check_err "Error: attach type 'xdpdrv' needs the kernel's driver" -- net attach xdpdrv pinned /x dev lo
check_err "Error: attach type 'tc' is unknown" -- net attach tc pinned /x dev lo
check_err "Error: 'pinned' needs an argument" -- net attach xdp pinned
check_err "Error: expected PROG before 'dev'" -- net attach xdp dev lo
check_err "Error: can't open '/nonexistent.o': No such file or directory" -- net attach xdp /nonexistent.o dev lo
check_err "Error: '$0' is not an ELF object" -- net attach xdp "$0" dev lo

if [ ! -f "$OBJ" ]; then
	echo "SKIP: $OBJ not built (clang-19 missing): the rest needs it"
	[ $FAILS = 0 ] || exit 1
	exit 77
fi
check_err "Error: 'net attach' needs at least one 'dev IFACE'" -- net attach xdp file "$OBJ"
check_err "Error: 'dev' needs an argument" -- net attach xdp "$OBJ" dev
check_err "Error: 'prog' needs a program NAME" -- net attach xdp "$OBJ" prog
check_err "Error: unknown keyword 'frobnicate'" -- net attach xdp "$OBJ" dev lo frobnicate 1
check_err "Error: mode 'native': bpfrt runs XDP in user space" -- net attach xdp "$OBJ" dev lo mode native
check_err "Error: workers: 'zero' is not a number" -- net attach xdp "$OBJ" dev lo workers zero
check_err "Error: workers: '0' is not a number" -- net attach xdp "$OBJ" dev lo workers 0
check_err "Error: device 'nosuchdev0' not found" -- net attach xdp "$OBJ" dev nosuchdev0
check_err "Error: device 'nosuchdev0' not found" -- net attach xdp "$OBJ" dev lo dev nosuchdev0
check_err "Error: device 'lo' given twice" -- net attach xdp "$OBJ" dev lo dev lo
check_err "Error: object '$OBJ' has no program 'nope'" -- net attach xdp "$OBJ" prog nope dev lo
check_err "Error: program 'live_tc' is of type sched_cls, not xdp" -- net attach xdp file "$OBJ" prog live_tc dev lo
check_err "Error: workers: '100000' is not a number" -- net attach xdp "$OBJ" dev lo workers 100000
# -j: bpftool's {"error": ...} on stdout.
out=$("$BPFRT" -j net attach xdp "$OBJ" dev nosuchdev0 2>/dev/null)
[ "$out" = '{"error":"device '"'nosuchdev0'"' not found"}' ] || fail "-j error: $out"

# Without CAP_NET_RAW: the device and the step that failed.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$OBJ" -a -x "$BPFRT"; then
	err=$(cd / && setpriv --reuid=65534 --regid=65534 --clear-groups "$BPFRT" net attach xdp file "$OBJ" \
		prog live_pass dev lo 2>&1 >/dev/null)
	rc=$?
	[ $rc = 255 ] && [ "$err" = "Error: device 'lo': socket(AF_PACKET): Operation not permitted" ] ||
		fail "unprivileged attach: exit $rc, '$err'"
fi

if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null && command -v ping >/dev/null && command -v ip >/dev/null &&
	unshare -n true 2>/dev/null; then
	LIVE_CLI_INNER=1 unshare -n bash "$0" "$BPFRT" "$OBJDIR" "$TOOL" || FAILS=$((FAILS + 1))
else
	echo "live_cli: not root, or no unshare/ping/ip: live runs skipped (errors checked)"
fi
if [ $FAILS != 0 ]; then
	echo "live_cli: $FAILS failures" >&2
	exit 1
fi
echo "live_cli: ok"
