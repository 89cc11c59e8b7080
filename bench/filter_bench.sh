#!/bin/bash
# filter_bench.sh — `bpfrt filter` against tcpdump's own filtering, end to
# end: `tcpdump -r CAP -w /dev/null EXPR` vs `bpfrt filter EXPR CAP -w
# /dev/null` on a generated capture of COUNT packets (filter_gen, seed 42,
# the mix of tests/hooks/test_filter_vs_tcpdump.sh), several expressions.
# Each command runs RUNS times; the table gives the best wall-clock time
# (process start to exit) and the best CPU time (user + system) of each,
# and their ratios (tcpdump / bpfrt: > 1 means bpfrt is faster).  Before
# timing, both outputs of each expression are written to files and compared
# (the comparison is only fair if they agree).  Results: bench/RESULTS.md.
# Usage: filter_bench.sh PATH/TO/bpfrt PATH/TO/filter_gen [COUNT] [RUNS]
set -u
BPFRT=${1:?usage: $0 PATH/TO/bpfrt PATH/TO/filter_gen [COUNT] [RUNS]}
GEN=${2:?usage: $0 PATH/TO/bpfrt PATH/TO/filter_gen [COUNT] [RUNS]}
COUNT=${3:-1000000}
RUNS=${4:-5}
TCPDUMP=$(command -v tcpdump || echo /usr/sbin/tcpdump)
[ -x "$TCPDUMP" ] || { echo "tcpdump not installed (scripts/deps.sh installs it)"; exit 1; }
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "GNU time (/usr/bin/time) not installed"; exit 1; }
DIR=${TMPDIR:-/tmp}
CAP=$DIR/bpfrt-filter-bench-$COUNT.pcap
if [ ! -s "$CAP" ]; then
	echo "generating $CAP ($COUNT packets)..."
	"$GEN" "$CAP.tmp" "$COUNT" 42 pcap && mv "$CAP.tmp" "$CAP" || exit 1
fi
cat "$CAP" >/dev/null # in the page cache for both

EXPRS=(
	'tcp port 443 and host 10.0.0.1'
	'ip[8] < 64'
	'udp'
	'vlan and tcp'
	'tcp[tcpflags] & tcp-syn != 0'
	'ip6 and tcp port 80'
	'not ip and not ip6'
	'net 10.0.0.0/8 and (port 80 or port 443 or portrange 1000-2000)'
)

# best CMD...: sets WALL and CPU (seconds) to the best of RUNS runs
best() {
	WALL=
	CPU=
	for ((i = 0; i < RUNS; i++)); do
		local t
		t=$("$TIME" -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1)
		read -r w u s <<<"$t"
		local c
		c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
		if [ -z "$WALL" ] || awk -v a="$w" -v b="$WALL" 'BEGIN { exit !(a < b) }'; then WALL=$w; fi
		if [ -z "$CPU" ] || awk -v a="$c" -v b="$CPU" 'BEGIN { exit !(a < b) }'; then CPU=$c; fi
	done
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "inf" }'
}

echo "capture: $CAP ($COUNT packets, $(($(stat -c %s "$CAP") / 1000000)) MB), best of $RUNS runs"
echo "machine: $(nproc) CPUs, $(lscpu | sed -n 's/^Model name: *//p' | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bpfrt engine: ${BPFRT_ENGINE:-jit}"
echo
echo "| expression | matched | tcpdump wall s | bpfrt wall s | wall ratio | tcpdump CPU s | bpfrt CPU s | CPU ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
log_wall=0
log_cpu=0
n=0
for e in "${EXPRS[@]}"; do
	"$TCPDUMP" -r "$CAP" -w "$DIR/bpfrt-fb-t.pcap" "$e" 2>/dev/null
	out=$("$BPFRT" -j filter "$e" "$CAP" -w "$DIR/bpfrt-fb-b.pcap")
	if ! cmp -s "$DIR/bpfrt-fb-t.pcap" "$DIR/bpfrt-fb-b.pcap"; then
		echo "'$e': bpfrt's output differs from tcpdump's: not timed" >&2
		continue
	fi
	matched=$(sed -n 's/.*"matched":\([0-9]*\).*/\1/p' <<<"$out")
	best "$TCPDUMP" -r "$CAP" -w /dev/null "$e"
	tw=$WALL tc=$CPU
	best "$BPFRT" filter "$e" "$CAP" -w /dev/null
	bw=$WALL bc=$CPU
	rw=$(ratio "$tw" "$bw")
	rc=$(ratio "$tc" "$bc")
	echo "| \`$e\` | $matched | $tw | $bw | ${rw}x | $tc | $bc | ${rc}x |"
	log_wall=$(awk -v s="$log_wall" -v r="$rw" 'BEGIN { printf "%.6f", s + log(r) }')
	log_cpu=$(awk -v s="$log_cpu" -v r="$rc" 'BEGIN { printf "%.6f", s + log(r) }')
	n=$((n + 1))
done
rm -f "$DIR/bpfrt-fb-t.pcap" "$DIR/bpfrt-fb-b.pcap"
[ "$n" -gt 0 ] || exit 1
echo
echo "geometric mean over $n expressions: wall $(awk -v s="$log_wall" -v n="$n" 'BEGIN { printf "%.2f", exp(s / n) }')x, CPU $(awk -v s="$log_cpu" -v n="$n" 'BEGIN { printf "%.2f", exp(s / n) }')x faster than tcpdump"
