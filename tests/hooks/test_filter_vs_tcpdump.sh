#!/bin/bash
# test_filter_vs_tcpdump.sh — `bpfrt filter EXPR CAP -w B` against
# `tcpdump -r CAP -w T EXPR` (libpcap's own interpreter, pcap_offline_filter,
# decides there): for every expression below the two output files must be
# identical byte for byte, on captures filter_gen makes with fixed seeds
# (Ethernet, 802.1Q and QinQ, IPv4 with options and fragments, IPv6 with
# extension headers, TCP/UDP/ICMP/ICMPv6/ARP, truncated packets).  Also:
# nanosecond, byte-swapped and pcapng inputs, the interpreter and checked
# engines, a capture truncated mid-record, and the error paths.
# Usage: test_filter_vs_tcpdump.sh PATH/TO/bpfrt PATH/TO/filter_gen
# Exit 77 (skip) without tcpdump.
set -u
BPFRT=${1:?usage: $0 PATH/TO/bpfrt PATH/TO/filter_gen}
GEN=${2:?usage: $0 PATH/TO/bpfrt PATH/TO/filter_gen}
TCPDUMP=$(command -v tcpdump || true)
[ -z "$TCPDUMP" ] && [ -x /usr/sbin/tcpdump ] && TCPDUMP=/usr/sbin/tcpdump
[ -n "$TCPDUMP" ] || { echo "SKIP: tcpdump not installed (scripts/deps.sh installs it)"; exit 77; }
DIR=$(mktemp -d "${TMPDIR:-/tmp}/bpfrt-filter.XXXXXX")
trap 'rm -rf "$DIR"' EXIT
export BPFRT_PIN_ROOT=$DIR/pins
FAILS=0
fail() {
	echo "FAIL: $*" >&2
	FAILS=$((FAILS + 1))
}

"$GEN" "$DIR/gen.pcap" 4000 20261204 pcap || { echo "filter_gen failed"; exit 1; }
"$GEN" "$DIR/gen-ns.pcap" 800 7 pcap-ns || exit 1
"$GEN" "$DIR/gen-swapped.pcap" 800 8 pcap-swapped || exit 1
"$GEN" "$DIR/gen.pcapng" 800 9 pcapng || exit 1
"$GEN" "$DIR/gen-jumbo.pcap" 60 10 pcap-jumbo || exit 1

EXPRS=(
	'tcp' 'udp' 'icmp' 'icmp6' 'arp' 'ip' 'ip6'
	'host 10.0.0.1' 'src host 10.0.0.2' 'dst host 192.168.1.100'
	'net 10.0.0.0/8' 'src net 192.168.1.0/24' 'dst net 172.16.0.0/12'
	'port 443' 'tcp port 443 and host 10.0.0.1' 'udp port 53'
	'dst port 80 or dst port 8080' 'portrange 1000-2000' 'tcp src portrange 20-25'
	'vlan' 'vlan 10' 'vlan and tcp' 'vlan 100 and ip' 'vlan and vlan 20'
	'tcp[tcpflags] & tcp-syn != 0'
	'tcp[tcpflags] & (tcp-syn|tcp-ack) == (tcp-syn|tcp-ack)'
	'tcp[tcpflags] & tcp-rst != 0 or tcp[tcpflags] & tcp-fin != 0'
	'ip[8] < 64' 'len > 100' 'greater 500' 'less 80'
	'ether host 00:11:22:33:44:55' 'ether broadcast' 'ether multicast' 'ether proto 0x88cc'
	'ip proto 47' 'ip proto 132'
	'ip[6:2] & 0x1fff != 0' 'ip[6:2] & 0x3fff != 0' 'ip[0] & 0xf > 5'
	'not ip and not ip6' '(tcp or udp) and not port 53'
	'ip6 and tcp port 80' 'ip6 and udp' 'dst host ff02::1' 'host 8.8.8.8 or host 2001:db8::1'
	'icmp[icmptype] == icmp-echo' 'icmp6 and ip6[40] == 128'
	'ip broadcast' 'ip multicast' 'arp and arp[7] == 2'
	'ip and tcp[13] & 2 != 0' 'udp[8:2] > 1000' 'tcp port 22 and len > 200'
)

# compare WHAT CAPTURE EXPR [bpfrt options...]: MATCHED = the matched count
# (few processes per call: a fork costs ~10 ms on the CI machines)
compare() {
	local what=$1 cap=$2 expr=$3
	shift 3
	"$TCPDUMP" -r "$cap" -w "$DIR/t.pcap" "$expr" 2>"$DIR/t.err"
	local trc=$?
	local out
	out=$("$BPFRT" -j "$@" filter "$expr" "$cap" -w "$DIR/b.pcap" 2>"$DIR/b.err")
	local brc=$?
	if [ "$trc" != 0 ] || [ "$brc" != 0 ]; then
		fail "$what '$expr': tcpdump exit $trc, bpfrt exit $brc: $(cat "$DIR/t.err" "$DIR/b.err")"
		return
	fi
	if ! cmp -s "$DIR/t.pcap" "$DIR/b.pcap"; then
		fail "$what '$expr': output differs from tcpdump's ($(cmp "$DIR/t.pcap" "$DIR/b.pcap" 2>&1))"
		return
	fi
	[[ $out =~ \"matched\":([0-9]+) ]] && MATCHED=${BASH_REMATCH[1]}
}

# Under AddressSanitizer or ThreadSanitizer a bpfrt process costs ~0.2 s
# of CPU: every other
# expression (27, spread over the list; the full 54 run in the normal
# build) and fewer extra runs.
QUICK=0
grep -qE "__asan_init|__tsan_init" "$BPFRT" && QUICK=1
if [ "$QUICK" = 1 ]; then
	ALL=("${EXPRS[@]}")
	EXPRS=()
	for i in "${!ALL[@]}"; do
		[ $((i % 2)) = 0 ] && EXPRS+=("${ALL[$i]}")
	done
	echo "sanitizer build: ${#EXPRS[@]} of ${#ALL[@]} expressions"
fi

n=0
nonempty=0
for e in "${EXPRS[@]}"; do
	MATCHED=
	compare "pcap" "$DIR/gen.pcap" "$e"
	[ -n "$MATCHED" ] || continue
	n=$((n + 1))
	[ "$MATCHED" -gt 0 ] && nonempty=$((nonempty + 1))
	printf '  %-62s %5s of 4000\n' "'$e'" "$MATCHED"
done
EXTRA=('vlan and tcp' 'ip6 and udp' 'ip[6:2] & 0x1fff != 0 or len > 1000')
ENGINE_EXPRS=('vlan 100 and ip or tcp port 443' 'tcp[tcpflags] & tcp-syn != 0 or icmp6 and ip6[40] == 128')
if [ "$QUICK" = 1 ]; then
	EXTRA=('ip6 and udp or vlan and tcp')
	ENGINE_EXPRS=('vlan 100 and ip or tcp[tcpflags] & tcp-syn != 0')
fi
echo "$n of ${#EXPRS[@]} expressions give tcpdump's output, $nonempty match some packets"
[ "$QUICK" = 1 ] || [ "$n" -ge 30 ] || fail "fewer than 30 expressions compared"
[ "$nonempty" -ge $((${#EXPRS[@]} * 3 / 4)) ] || fail "only $nonempty expressions match any packet: the capture lacks variety"

# Other inputs: nanosecond timestamps (written as microseconds, as tcpdump
# does), the other byte order, pcapng (through libpcap), records larger than
# the reader's 256 KiB chunks.
for cap in gen-ns.pcap gen-swapped.pcap gen.pcapng gen-jumbo.pcap; do
	for e in "${EXTRA[@]}"; do
		compare "$cap" "$DIR/$cap" "$e"
	done
done
# Every engine.
for engine in interp checked; do
	for e in "${ENGINE_EXPRS[@]}"; do
		compare "--engine $engine" "$DIR/gen.pcap" "$e" --engine "$engine"
	done
done
# No -w: the summary only.
out=$("$BPFRT" filter 'udp' "$DIR/gen.pcap" 2>&1)
want=$("$TCPDUMP" -r "$DIR/gen.pcap" 'udp' 2>/dev/null | wc -l)
grep -q "^4000 packets, $want matched, " <<<"$out" || fail "summary: '$out', want $want matched"

# A capture cut in the middle of a record: the packets before it, then
# libpcap's error and exit 1, as tcpdump.
head -c 150000 "$DIR/gen.pcap" >"$DIR/cut.pcap"
"$TCPDUMP" -r "$DIR/cut.pcap" -w "$DIR/t.pcap" ip 2>/dev/null
trc=$?
"$BPFRT" filter ip "$DIR/cut.pcap" -w "$DIR/b.pcap" 2>"$DIR/b.err"
brc=$?
[ "$trc" = 1 ] && [ "$brc" = 1 ] || fail "cut capture: tcpdump exit $trc, bpfrt exit $brc"
cmp -s "$DIR/t.pcap" "$DIR/b.pcap" || fail "cut capture: output differs from tcpdump's"
grep -q "truncated dump file" "$DIR/b.err" || fail "cut capture: no libpcap message: $(cat "$DIR/b.err")"

# Errors.
out=$("$BPFRT" filter 'tcp port' "$DIR/gen.pcap" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "syntax error" <<<"$out" || fail "bad expression: exit $rc, '$out'"
out=$("$BPFRT" filter 'port 99999' "$DIR/gen.pcap" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "^Error: .*99999" <<<"$out" || fail "bad port number: exit $rc, '$out'"
out=$("$BPFRT" filter tcp "$DIR/missing.pcap" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "missing.pcap: No such file" <<<"$out" || fail "missing capture: exit $rc, '$out'"
echo "not a capture" >"$DIR/junk"
out=$("$BPFRT" filter tcp "$DIR/junk" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "unknown file format" <<<"$out" || fail "junk capture: exit $rc, '$out'"
out=$("$BPFRT" filter tcp "$DIR/gen.pcap" -w "$DIR/no/such/dir/out.pcap" 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q "No such file or directory" <<<"$out" || fail "unwritable output: exit $rc, '$out'"
out=$("$BPFRT" filter tcp 2>&1)
rc=$?
[ "$rc" = 255 ] && grep -q "usage: bpfrt filter EXPRESSION CAPTURE" <<<"$out" || fail "missing capture arg: exit $rc, '$out'"
out=$("$BPFRT" filter tcp "$DIR/gen.pcap" -w 2>&1)
rc=$?
[ "$rc" = 255 ] && grep -q -- "-w needs an OUT file" <<<"$out" || fail "-w without a file: exit $rc, '$out'"
out=$("$BPFRT" -j filter 'tcp port' "$DIR/gen.pcap" 2>/dev/null)
grep -q '"error"' <<<"$out" || fail "-j error: '$out'"

if [ "$FAILS" -gt 0 ]; then
	echo "$FAILS failure(s)"
	exit 1
fi
echo "all passed"
