#!/bin/sh
# test_net_run.sh BPFRT EXAMPLES_DIR WORK — `bpfrt net run` end to end on
# the demo's programs (examples/xdp, built by CMake) and a generated
# 5,000-packet capture: verdict counts add up, the output capture holds
# exactly the written verdicts (tcpdump reads it back when present), JSON
# agrees with text, two workers give the counts of one; and every bad
# input gets an error naming it and exit 255.  Skips (77) without the
# clang-built objects.
set -u
BPFRT=$1 EX=$2 WORK=$3
[ -f "$EX/lb.o" ] && [ -f "$EX/xdp_drop.o" ] || { echo "SKIP: examples not built (no clang-19?)"; exit 77; }
rm -rf "$WORK" && mkdir -p "$WORK/pins" || exit 1
export BPFRT_PIN_ROOT="$WORK/pins"
fail=0
check() { # check DESC CMD... : CMD must succeed
	desc=$1; shift
	if ! "$@" >"$WORK/out" 2>"$WORK/err"; then
		echo "FAIL: $desc: exit $?"; cat "$WORK/err"; fail=1
	fi
}
expect_error() { # expect_error DESC PATTERN ARGS... : bpfrt ARGS fails (255) saying PATTERN
	desc=$1 pat=$2; shift 2
	"$BPFRT" "$@" >"$WORK/out" 2>"$WORK/err"; rc=$?
	if [ $rc -ne 255 ] || ! grep -q -- "$pat" "$WORK/err"; then
		echo "FAIL: $desc: exit $rc, stderr:"; cat "$WORK/err"; fail=1
	fi
}

"$EX/bpfrt-gen-capture" "$WORK/cap.pcap" packets 5000 seed 7 || exit 1
"$EX/bpfrt-lb-setup" "$EX/lb.o" max_packets 100 >/dev/null || exit 1

# XDP_DROP: every packet dropped, nothing written.
check "xdp_drop" "$BPFRT" -j net run xdp file "$EX/xdp_drop.o" pcap "$WORK/cap.pcap" out "$WORK/none.pcap"
grep -q '"packets":5000' "$WORK/out" && grep -q '"drop":5000' "$WORK/out" && grep -q '"written":0' "$WORK/out" ||
	{ echo "FAIL: xdp_drop counts: $(cat "$WORK/out")"; fail=1; }

# The firewall + balancer: verdicts add up to the packets; TX+PASS written.
check "lb" "$BPFRT" -j net run xdp file "$EX/lb.o" prog xdp_fw pcap "$WORK/cap.pcap" out "$WORK/lb.pcap"
J=$(cat "$WORK/out")
num() { echo "$J" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"; }
drop=$(num drop) pass=$(num pass) tx=$(num tx) aborted=$(num aborted) written=$(num written)
[ $((drop + pass + tx + aborted)) -eq 5000 ] && [ "$tx" -gt 3000 ] && [ "$drop" -gt 0 ] && [ "$pass" -gt 0 ] &&
	[ "$aborted" -eq 0 ] && [ "$written" -eq $((tx + pass)) ] ||
	{ echo "FAIL: lb counts: $J"; fail=1; }
if command -v tcpdump >/dev/null; then
	n=$(tcpdump -nr "$WORK/lb.pcap" 2>/dev/null | wc -l)
	[ "$n" -eq "$written" ] || { echo "FAIL: tcpdump reads $n packets, $written written"; fail=1; }
	bad=$(tcpdump -vvv -nr "$WORK/lb.pcap" 2>/dev/null | grep -c "incorrect" || true)
	[ "$bad" -eq 0 ] || { echo "FAIL: $bad rewritten packets with wrong checksums"; fail=1; }
fi
# Only TX: the output shrinks to the TX count.
check "verdicts tx" "$BPFRT" -j net run xdp file "$EX/lb.o" prog xdp_fw pcap "$WORK/cap.pcap" out "$WORK/tx.pcap" verdicts tx
grep -q "\"written\":$(echo "$(cat "$WORK/out")" | sed -n 's/.*"tx":\([0-9]*\).*/\1/p')," "$WORK/out" ||
	{ echo "FAIL: verdicts tx: $(cat "$WORK/out")"; fail=1; }
# Text output names the verdicts; two workers count the same as one
# (fresh maps: the firewall's counters depend on what came before).
check "text" "$BPFRT" net run xdp file "$EX/xdp_drop.o" pcap "$WORK/cap.pcap" workers 2 repeat 3
grep -q "^packets 15000 " "$WORK/out" && grep -q "drop 15000" "$WORK/out" && grep -q "2 workers" "$WORK/out" ||
	{ echo "FAIL: text output: $(cat "$WORK/out")"; fail=1; }

# tc: TTL decremented with bpf_skb_store_bytes + bpf_l3_csum_replace on
# IPv4, everything else shot; the ok frames written with valid checksums.
if [ -f "$EX/tc_ttl.o" ]; then
	check "tc" "$BPFRT" -j net run tc file "$EX/tc_ttl.o" pcap "$WORK/cap.pcap" out "$WORK/tc.pcap"
	J=$(cat "$WORK/out")
	ok=$(num ok) shot=$(num shot) written=$(num written)
	[ $((ok + shot)) -eq 5000 ] && [ "$ok" -gt 3000 ] && [ "$shot" -gt 0 ] && [ "$written" -eq "$ok" ] ||
		{ echo "FAIL: tc counts: $J"; fail=1; }
	if command -v tcpdump >/dev/null; then
		bad=$(tcpdump -vvv -nr "$WORK/tc.pcap" 2>/dev/null | grep -c "bad cksum" || true)
		ttl63=$(tcpdump -v -nr "$WORK/tc.pcap" 2>/dev/null | grep -c "ttl 63" || true)
		[ "$bad" -eq 0 ] && [ "$ttl63" -eq "$ok" ] ||
			{ echo "FAIL: tc output: $bad bad IP checksums, $ttl63 of $ok with ttl 63"; fail=1; }
	fi
	expect_error "xdp prog as tc" "'net run xdp' needs an xdp program" net run xdp file "$EX/tc_ttl.o" pcap "$WORK/cap.pcap"
fi

# Errors.
expect_error "missing capture" "can't read the capture: $WORK/nope.pcap" net run xdp file "$EX/xdp_drop.o" pcap "$WORK/nope.pcap"
expect_error "no pcap keyword" "needs 'pcap FILE'" net run xdp file "$EX/xdp_drop.o"
expect_error "unknown keyword" "unknown keyword 'bogus'" net run xdp file "$EX/xdp_drop.o" pcap "$WORK/cap.pcap" bogus 1
expect_error "bad verdict" "'teleport' is not a XDP verdict" net run xdp file "$EX/xdp_drop.o" pcap "$WORK/cap.pcap" verdicts tx,teleport
expect_error "bad workers" "'workers' needs a number" net run xdp file "$EX/xdp_drop.o" pcap "$WORK/cap.pcap" workers 0
expect_error "missing object" "can't open '$WORK/nope.o'" net run xdp file "$WORK/nope.o" pcap "$WORK/cap.pcap"
expect_error "not an object" "is not an ELF object" net run xdp file "$WORK/cap.pcap" pcap "$WORK/cap.pcap"
expect_error "wrong type" "'net run tc' needs a sched_cls" net run tc file "$EX/xdp_drop.o" pcap "$WORK/cap.pcap"
expect_error "unknown hook" "runs 'xdp' or 'tc' programs" net run kprobe file "$EX/xdp_drop.o" pcap "$WORK/cap.pcap"
expect_error "unknown command" "unknown command 'walk'" net walk
expect_error "unknown prog" "prog" net run xdp file "$EX/lb.o" prog nosuch pcap "$WORK/cap.pcap"
printf 'not a capture' > "$WORK/junk.pcap"
expect_error "junk capture" "can't read the capture" net run xdp file "$EX/xdp_drop.o" pcap "$WORK/junk.pcap"
expect_error "unwritable output" "can't write the capture" net run xdp file "$EX/xdp_drop.o" pcap "$WORK/cap.pcap" out /nonexistent/dir/x.pcap

[ $fail -eq 0 ] && echo "net_run: all checks passed"
exit $fail
