/* run_progs.c — the eBPF C corpus of tests/progs, run on the host kernel
 * (libbpf: open, load, BPF_PROG_TEST_RUN) and on bpfrt (its object loader
 * and bpfrt_bpf), four builds of each object (-mcpu=v3/v4, with/without -g).
 * Per entry: the load verdict, each step's return value, packet output and
 * ctx output, then the contents of every map (hash maps as sets, per-CPU
 * values summed over CPUs, queues/stacks/ring buffers in order) must agree,
 * and where the table states an expected return value both must give it.
 * Usage: run_progs OBJDIR [NAME...]; exits 77 (CTest skip) when neither the
 * kernel nor bpfrt's loader can run anything, 1 on any mismatch. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"

#ifdef PROGS_HAVE_LIBBPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#endif
#ifdef PROGS_HAVE_LOADER
#include "bpfrt/object.h"
#endif

#define MAX_STEPS 8
#define MAX_PKT 512
#define MAX_CTX 256
#define NO_EXPECT INT64_MIN
#define BPF_FS_MAGIC_NUM 0xcafe4a11

/* ---- Inputs: packets ---------------------------------------------------- */

enum pkt_id {
	PK_NONE,
	PK_TCP4,      /* 10.0.0.1:1234 -> 10.0.0.2:80 PSH|ACK "hello world" */
	PK_SYN22,     /* 10.0.0.1:40000 -> 10.0.0.5:22 SYN */
	PK_SYNFIN,    /* 10.0.0.1:1234 -> 10.0.0.2:80 SYN|FIN */
	PK_UDP4,      /* 10.0.0.7:5000 -> 192.168.1.9:9999 */
	PK_DNS4,      /* 10.0.0.1:5353 -> 10.0.0.53:53 */
	PK_ICMP_ECHO, /* 10.0.0.1 -> 10.0.0.2 echo request */
	PK_ICMP_REPLY, /* 192.168.1.1 -> 10.0.0.2 echo reply */
	PK_TCP6,      /* 2001:1::1:1234 -> 2001:1::5 :443, flow label 0x12345 */
	PK_UDP6,      /* fe80::1:546 -> ff02::1:2 :547, hop limit 1 */
	PK_VLAN,      /* 802.1Q vid 100, IPv4 UDP */
	PK_QINQ,      /* 802.1ad vid 200 + 802.1Q vid 300, IPv4 TCP */
	PK_ARP,
	PK_SHORT,     /* 15 bytes, EtherType IPv4 */
	PK_IP4OPT,    /* ihl 6 (one option word), UDP sport 1234 */
	PK_FRAG,      /* IPv4 UDP with MF set */
	PK_TTL1,      /* IPv4 TCP with TTL 1 */
	PK_PADDED,    /* IPv4 UDP followed by 10 bytes of Ethernet trailer */
	PK_TRUNC,     /* IPv4 header only; tot_len claims a TCP header */
	PK_BADIHL,    /* IPv4 with ihl 4 */
	PK_LLDP,      /* EtherType 0x88cc */
	PK_MAX
};

struct pkt {
	uint8_t b[MAX_PKT];
	uint32_t len;
};

static struct pkt pkts[PK_MAX];

static const uint8_t mac_dst[6] = {0x02, 0, 0, 0, 0, 0x02}, mac_src[6] = {0x02, 0, 0, 0, 0, 0x01};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_finish(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

struct l3spec {
	int v6;
	uint8_t proto, ttl, tos, opt_words, tcp_flags, icmp_type;
	uint16_t frag, sport, dport;
	uint32_t src, dst;      /* IPv4 */
	uint8_t src6[16], dst6[16];
	uint32_t flow;
	const char *payload;
	uint16_t vlan_outer, vlan_inner; /* 0: none */
	uint16_t outer_tpid;
	uint32_t trailer;       /* bytes after the IP packet */
	int truncate_l4;        /* stop after the IP header */
	int bad_ihl;
};

static void build_eth(struct pkt *p, const struct l3spec *s, uint16_t proto)
{
	memcpy(p->b, mac_dst, 6);
	memcpy(p->b + 6, mac_src, 6);
	uint32_t off = 12;
	if (s && s->vlan_outer) {
		put16(p->b + off, s->outer_tpid ? s->outer_tpid : 0x8100);
		put16(p->b + off + 2, s->vlan_outer);
		off += 4;
	}
	if (s && s->vlan_inner) {
		put16(p->b + off, 0x8100);
		put16(p->b + off + 2, s->vlan_inner);
		off += 4;
	}
	put16(p->b + off, proto);
	p->len = off + 2;
}

static void build_ip(struct pkt *p, const struct l3spec *s)
{
	build_eth(p, s, s->v6 ? 0x86dd : 0x0800);
	uint8_t *ip = p->b + p->len;
	uint32_t iphl = s->v6 ? 40 : 20 + 4u * s->opt_words;
	uint8_t *l4 = ip + iphl;
	uint32_t l4hl = s->proto == 6 ? 20 : 8;
	uint32_t plen = s->payload ? (uint32_t)strlen(s->payload) : 0;
	memset(ip, 0, iphl + l4hl + plen + s->trailer);
	if (s->proto == 6) {
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put32(l4 + 4, 0x01020304);
		put32(l4 + 8, s->tcp_flags & 0x10 ? 0x0a0b0c0d : 0);
		l4[12] = 5 << 4;
		l4[13] = s->tcp_flags;
		put16(l4 + 14, 0xffff);
	} else if (s->proto == 17) {
		put16(l4, s->sport);
		put16(l4 + 2, s->dport);
		put16(l4 + 4, (uint16_t)(8 + plen));
	} else if (s->proto == 1) {
		l4[0] = s->icmp_type;
		put16(l4 + 4, 0x4242);
		put16(l4 + 6, 1);
	}
	if (plen)
		memcpy(l4 + l4hl, s->payload, plen);
	uint32_t l4len = l4hl + plen;
	uint32_t sum = 0;
	if (s->v6) {
		put32(ip, 6u << 28 | s->flow);
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = s->proto;
		ip[7] = s->ttl;
		memcpy(ip + 8, s->src6, 16);
		memcpy(ip + 24, s->dst6, 16);
		sum = csum_add(0, ip + 8, 32);
	} else {
		ip[0] = (uint8_t)(4 << 4 | (s->bad_ihl ? 4 : 5 + s->opt_words));
		ip[1] = s->tos;
		put16(ip + 2, (uint16_t)(iphl + l4len));
		put16(ip + 4, 0x1c46);
		put16(ip + 6, s->frag);
		ip[8] = s->ttl;
		ip[9] = s->proto;
		put32(ip + 12, s->src);
		put32(ip + 16, s->dst);
		for (uint32_t i = 0; i < s->opt_words; i++)
			put32(ip + 20 + 4 * i, 0x01010101); /* NOPs */
		put16(ip + 10, csum_finish(csum_add(0, ip, iphl)));
		sum = csum_add(0, ip + 12, 8);
	}
	sum += s->proto + l4len;
	if (s->proto == 6)
		put16(l4 + 16, csum_finish(csum_add(sum, l4, l4len)));
	else if (s->proto == 17)
		put16(l4 + 6, csum_finish(csum_add(sum, l4, l4len)));
	else if (s->proto == 1)
		put16(l4 + 2, csum_finish(csum_add(0, l4, l4len)));
	p->len += iphl + (s->truncate_l4 ? 0 : l4len + s->trailer);
}

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

static void build_packets(void)
{
	struct l3spec s;
#define SPEC(...) (s = (struct l3spec){__VA_ARGS__}, &s)
	build_ip(&pkts[PK_TCP4], SPEC(.proto = 6, .ttl = 64, .tcp_flags = 0x18, .sport = 1234, .dport = 80,
				      .src = IP4(10, 0, 0, 1), .dst = IP4(10, 0, 0, 2), .payload = "hello world"));
	build_ip(&pkts[PK_SYN22], SPEC(.proto = 6, .ttl = 64, .tcp_flags = 0x02, .sport = 40000, .dport = 22,
				       .src = IP4(10, 0, 0, 1), .dst = IP4(10, 0, 0, 5)));
	build_ip(&pkts[PK_SYNFIN], SPEC(.proto = 6, .ttl = 64, .tcp_flags = 0x03, .sport = 1234, .dport = 80,
					.src = IP4(10, 0, 0, 1), .dst = IP4(10, 0, 0, 2)));
	build_ip(&pkts[PK_UDP4], SPEC(.proto = 17, .ttl = 32, .tos = 0x10, .sport = 5000, .dport = 9999,
				      .src = IP4(10, 0, 0, 7), .dst = IP4(192, 168, 1, 9), .payload = "data1234"));
	build_ip(&pkts[PK_DNS4], SPEC(.proto = 17, .ttl = 64, .sport = 5353, .dport = 53, .src = IP4(10, 0, 0, 1),
				      .dst = IP4(10, 0, 0, 53), .payload = "\x12\x34\x01\x00\x00\x01query"));
	build_ip(&pkts[PK_ICMP_ECHO], SPEC(.proto = 1, .ttl = 64, .icmp_type = 8, .src = IP4(10, 0, 0, 1),
					   .dst = IP4(10, 0, 0, 2), .payload = "pingpingping"));
	build_ip(&pkts[PK_ICMP_REPLY], SPEC(.proto = 1, .ttl = 60, .icmp_type = 0, .src = IP4(192, 168, 1, 1),
					    .dst = IP4(10, 0, 0, 2), .payload = "pongpong"));
	build_ip(&pkts[PK_TCP6], SPEC(.v6 = 1, .proto = 6, .ttl = 64, .tcp_flags = 0x10, .sport = 1234, .dport = 443,
				      .flow = 0x12345, .src6 = {0x20, 0x01, 0, 1, [15] = 1},
				      .dst6 = {0x20, 0x01, 0, 1, [15] = 5}, .payload = "six"));
	build_ip(&pkts[PK_UDP6], SPEC(.v6 = 1, .proto = 17, .ttl = 1, .sport = 546, .dport = 547,
				      .src6 = {0xfe, 0x80, [15] = 1}, .dst6 = {0xff, 0x02, [13] = 1, [15] = 2},
				      .payload = "dhcp"));
	build_ip(&pkts[PK_VLAN], SPEC(.proto = 17, .ttl = 64, .sport = 7, .dport = 7, .src = IP4(10, 1, 0, 1),
				      .dst = IP4(10, 1, 0, 2), .vlan_outer = 100, .payload = "vlan"));
	build_ip(&pkts[PK_QINQ], SPEC(.proto = 6, .ttl = 64, .tcp_flags = 0x10, .sport = 1, .dport = 2,
				      .src = IP4(10, 2, 0, 1), .dst = IP4(10, 2, 0, 2), .vlan_outer = 0x2000 | 200,
				      .outer_tpid = 0x88a8, .vlan_inner = 300));
	build_eth(&pkts[PK_ARP], NULL, 0x0806);
	{
		uint8_t *a = pkts[PK_ARP].b + 14;
		static const uint8_t arp[28] = {0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1,
						0, 0, 0, 0, 0, 0, 10, 0, 0, 2};
		memcpy(a, arp, sizeof(arp));
		pkts[PK_ARP].len += sizeof(arp);
	}
	build_eth(&pkts[PK_SHORT], NULL, 0x0800);
	pkts[PK_SHORT].b[14] = 0x45;
	pkts[PK_SHORT].len = 15;
	build_ip(&pkts[PK_IP4OPT], SPEC(.proto = 17, .ttl = 64, .opt_words = 1, .sport = 1234, .dport = 4321,
					.src = IP4(10, 0, 0, 1), .dst = IP4(10, 0, 0, 3), .payload = "options"));
	build_ip(&pkts[PK_FRAG], SPEC(.proto = 17, .ttl = 64, .frag = 0x2000, .sport = 9, .dport = 9,
				      .src = IP4(10, 0, 0, 1), .dst = IP4(10, 0, 0, 2), .payload = "frag"));
	build_ip(&pkts[PK_TTL1], SPEC(.proto = 6, .ttl = 1, .tcp_flags = 0x10, .sport = 1234, .dport = 80,
				      .src = IP4(10, 0, 0, 1), .dst = IP4(10, 0, 0, 2)));
	build_ip(&pkts[PK_PADDED], SPEC(.proto = 17, .ttl = 64, .sport = 1, .dport = 2, .src = IP4(10, 0, 0, 1),
					.dst = IP4(10, 0, 0, 2), .payload = "pad", .trailer = 10));
	memset(pkts[PK_PADDED].b + pkts[PK_PADDED].len - 10, 0xee, 10);
	build_ip(&pkts[PK_TRUNC], SPEC(.proto = 6, .ttl = 64, .src = IP4(10, 0, 0, 1), .dst = IP4(10, 0, 0, 2),
				       .truncate_l4 = 1));
	build_ip(&pkts[PK_BADIHL], SPEC(.proto = 17, .ttl = 64, .bad_ihl = 1, .sport = 1, .dport = 1,
					.src = IP4(10, 0, 0, 1), .dst = IP4(10, 0, 0, 2)));
	build_eth(&pkts[PK_LLDP], NULL, 0x88cc);
	memset(pkts[PK_LLDP].b + 14, 0x5a, 32);
	pkts[PK_LLDP].len += 32;
#undef SPEC
}

/* ---- Inputs: contexts --------------------------------------------------- */

static const struct __sk_buff skb_marked = {.mark = 7, .priority = 3, .cb = {11, 0, 0, 0, 44}};
static const struct __sk_buff skb_cb5 = {.cb = {5}};
static const struct __sk_buff skb_mark0 = {.mark = 0};
static const struct __sk_buff skb_mark5 = {.mark = 5};
static const struct __sk_buff skb_mark3 = {.mark = 3};
static const uint32_t u32_0 = 0, u32_1 = 1, u32_2 = 2, u32_3 = 3, u32_4 = 4, u32_5 = 5, u32_10 = 10,
		      u32_100 = 100;
static const uint64_t u64_1 = 1, u64_6 = 6, u64_27 = 27, u64_77 = 77, u64_big = 0x1122334455ull, u64_5 = 5,
		      u64_9 = 9;
static const uint32_t ga_3_4[2] = {3, 4}, ga_7_1[2] = {7, 1};
static const int32_t sub_a[2] = {5, -3}, sub_b[2] = {-20, 9};
static const char strtol_a[32] = "  -42xyz", strtol_b[32] = "123456789";
static const struct {
	uint32_t tenant, key;
	uint64_t value;
} hom_1 = {1, 5, 10}, hom_2 = {2, 5, 20}, hom_3 = {1, 5, 1}, hom_4 = {3, 0, 0};
static const struct {
	int64_t a, b;
	int8_t c8;
	int16_t c16;
	int32_t c32;
} alu_1 = {-100, 7, -5, -300, -70000}, alu_2 = {0x123456789abcdef0ll, -3, 127, 32767, -1},
  alu_3 = {-0x7fffffffffffffffll, 1000003, -128, -32768, 0x7fffffff};
static const struct {
	uint32_t v[8];
	uint32_t g[2];
	uint8_t bytes[16];
} loops_1 = {{9, 3, 7, 1, 8, 2, 6, 5}, {1071, 462}, "123456789abcdef"},
  loops_2 = {{1, 1, 0, 0, 0xffffffff, 4, 4, 2}, {17, 0}, {0}};
static const struct {
	uint32_t len, sum;
	char buf[24];
} ctxo_1 = {11, 0, "hello world"}, ctxo_2 = {24, 0, "abcdefghijklmnopqrstuvwx"};
static const uint64_t rtp_1[6] = {0, 1, 3, 4, 5, 6}, rtp_2[6] = {0, 0, 7, 8, 9, 10}, rtp_3[6] = {0, 1, 3, 4, 5, 7};
static const uint64_t bloom_1[4] = {11, 22, 33, 0xffffffffffffull};
static const uint64_t lpm_1[4] = {0x200105, 0x200199, 0x20ff00, 0xfe8000};
static const uint32_t knobs_cfg[3] = {3, 100, 5};

/* Tracepoint records for the bpfrt-only runs: sys_enter_write (common, nr,
 * fd, buf, count) and sched_switch (next_pid at offset 56). */
static const uint64_t tp_write_rec[5] = {0, 1, 3, 0, 42};
static const struct {
	uint64_t common;
	char prev_comm[16];
	int32_t prev_pid, prev_prio;
	int64_t prev_state;
	char next_comm[16];
	int32_t next_pid, next_prio;
} tp_switch_rec = {.next_pid = 77};

/* ---- The corpus table --------------------------------------------------- */

struct step {
	const char *prog; /* NULL ends the list */
	enum pkt_id pkt;
	const void *ctx;
	uint32_t ctx_len;
	int64_t expect; /* retval as int32, or NO_EXPECT */
};

struct entry {
	const char *file; /* base name in OBJDIR, without .VARIANT.o */
	struct step steps[MAX_STEPS];
	const void *rodata; /* written at offset 0 of .rodata before load */
	uint32_t rodata_len;
	int passes;         /* open/load/run this many times (pins persist) */
	bool load_only;     /* the kernel cannot test-run the type */
	bool bpfrt_runs;    /* ...but bpfrt runs it with ctx_in as its record (checked against expect) */
};

#define CTX(x) &(x), sizeof(x)
#define P(prog, pkt, exp) {prog, pkt, NULL, 0, exp}
#define C(prog, ctx, exp) {prog, PK_NONE, CTX(ctx), exp}
#define PC(prog, pkt, ctx, exp) {prog, pkt, CTX(ctx), exp}
#define NX NO_EXPECT
/* XDP verdicts and tc actions, as retvals */
#define ABORTED 0
#define DROP 1
#define PASS 2
#define TX 3
#define TC_OK 0
#define TC_SHOT 2
#define TC_UNSPEC (-1)

static const struct entry corpus[] = {
	{.file = "xdp_pass", .steps = {P("xdp_pass", PK_TCP4, PASS), P("xdp_pass", PK_UDP6, PASS), P("xdp_pass", PK_ARP, PASS)}},
	{.file = "xdp_parse_eth",
	 .steps = {P("xdp_parse_eth", PK_TCP4, PASS), P("xdp_parse_eth", PK_TCP6, PASS), P("xdp_parse_eth", PK_ARP, PASS),
	  P("xdp_parse_eth", PK_VLAN, PASS), P("xdp_parse_eth", PK_SHORT, DROP), P("xdp_parse_eth", PK_LLDP, DROP)}},
	{.file = "xdp_parse_ipv4",
	 .steps = {P("xdp_parse_ipv4", PK_TCP4, PASS), P("xdp_parse_ipv4", PK_UDP4, PASS), P("xdp_parse_ipv4", PK_ICMP_ECHO, PASS),
	  P("xdp_parse_ipv4", PK_FRAG, PASS), P("xdp_parse_ipv4", PK_IP4OPT, PASS), P("xdp_parse_ipv4", PK_BADIHL, DROP),
	  P("xdp_parse_ipv4", PK_TRUNC, PASS), P("xdp_parse_ipv4", PK_TCP6, PASS)}},
	{.file = "xdp_parse_ipv6",
	 .steps = {P("xdp_parse_ipv6", PK_TCP6, PASS), P("xdp_parse_ipv6", PK_UDP6, DROP), P("xdp_parse_ipv6", PK_TCP4, PASS),
	  P("xdp_parse_ipv6", PK_TCP6, PASS)}},
	{.file = "xdp_vlan", .steps = {P("xdp_vlan", PK_VLAN, PASS), P("xdp_vlan", PK_QINQ, TX), P("xdp_vlan", PK_TCP4, PASS)}},
	{.file = "xdp_swap_tx",
	 .steps = {P("xdp_swap_tx", PK_TCP4, TX), P("xdp_swap_tx", PK_UDP4, TX), P("xdp_swap_tx", PK_ARP, TX),
	  P("xdp_swap_tx", PK_IP4OPT, PASS)}},
	{.file = "xdp_ttl_dec", .steps = {P("xdp_ttl_dec", PK_TCP4, PASS), P("xdp_ttl_dec", PK_TTL1, DROP), P("xdp_ttl_dec", PK_UDP4, PASS)}},
	{.file = "xdp_drop_icmp",
	 .steps = {P("xdp_drop_icmp", PK_ICMP_ECHO, DROP), P("xdp_drop_icmp", PK_ICMP_REPLY, PASS),
	  P("xdp_drop_icmp", PK_ICMP_ECHO, DROP), P("xdp_drop_icmp", PK_TCP4, PASS)}},
	{.file = "xdp_tcp_flags",
	 .steps = {P("xdp_tcp_flags", PK_TCP4, PASS), P("xdp_tcp_flags", PK_SYN22, DROP), P("xdp_tcp_flags", PK_SYNFIN, DROP),
	  P("xdp_tcp_flags", PK_UDP4, PASS)}},
	{.file = "xdp_udp_rewrite",
	 .steps = {P("xdp_udp_rewrite", PK_DNS4, TX), P("xdp_udp_rewrite", PK_UDP4, PASS), P("xdp_udp_rewrite", PK_TCP4, PASS)}},
	{.file = "xdp_bounds",
	 .steps = {P("xdp_bounds", PK_TCP4, 6), P("xdp_bounds", PK_SHORT, 3), P("xdp_bounds", PK_ARP, 2),
	  P("xdp_bounds", PK_TRUNC, 4), P("xdp_bounds", PK_IP4OPT, 6), P("xdp_bounds", PK_UDP4, 5),
	  P("xdp_bounds", PK_BADIHL, 3)}},
	{.file = "xdp_lpm_route",
	 .steps = {P("xdp_lpm_route", PK_TCP4, DROP), P("xdp_lpm_route", PK_SYN22, TX), P("xdp_lpm_route", PK_UDP4, DROP),
	  P("xdp_lpm_route", PK_DNS4, TX), P("xdp_lpm_route", PK_VLAN, PASS), P("xdp_lpm_route", PK_ICMP_REPLY, DROP)}},
	{.file = "xdp_adjust_tail", .steps = {P("xdp_adjust_tail", PK_PADDED, TX), P("xdp_adjust_tail", PK_TCP4, PASS)}},
	{.file = "xdp_push_vlan", .steps = {P("xdp_push_vlan", PK_TCP4, TX), P("xdp_push_vlan", PK_VLAN, PASS), P("xdp_push_vlan", PK_ARP, TX)}},
	{.file = "xdp_ipv6_hop", .steps = {P("xdp_ipv6_hop", PK_TCP6, TX), P("xdp_ipv6_hop", PK_UDP6, DROP), P("xdp_ipv6_hop", PK_TCP4, PASS)}},
	{.file = "xdp_tail_call",
	 .steps = {P("xdp_tail_call", PK_TCP4, TX), P("xdp_tail_call", PK_ICMP_ECHO, PASS), P("xdp_tail_call", PK_ARP, PASS)}},
	{.file = "sock_ld_abs",
	 .steps = {P("sock_ld_abs", PK_TCP4, 0xffff), P("sock_ld_abs", PK_SYN22, 0xffff), P("sock_ld_abs", PK_UDP4, 0),
	  P("sock_ld_abs", PK_ICMP_ECHO, 1), P("sock_ld_abs", PK_TCP6, 0), P("sock_ld_abs", PK_DNS4, 0xffff)}},
	{.file = "sock_skb_fields", .steps = {PC("sock_skb_fields", PK_TCP4, skb_marked, NX), P("sock_skb_fields", PK_UDP4, NX)}},
	{.file = "sock_load_bytes",
	 .steps = {P("sock_load_bytes", PK_DNS4, NX), P("sock_load_bytes", PK_UDP4, 0), P("sock_load_bytes", PK_TCP4, 0)}},
	{.file = "tc_mark", .steps = {PC("tc_mark", PK_TCP4, skb_cb5, TC_OK), P("tc_mark", PK_TCP6, TC_OK), P("tc_mark", PK_UDP4, TC_OK)}},
	{.file = "tc_dscp_rewrite",
	 .steps = {P("tc_dscp_rewrite", PK_UDP4, TC_OK), P("tc_dscp_rewrite", PK_TCP4, TC_UNSPEC), P("tc_dscp_rewrite", PK_ARP, TC_OK)}},
	{.file = "tc_csum_diff", .steps = {P("tc_csum_diff", PK_TCP4, 1), P("tc_csum_diff", PK_IP4OPT, 0)}},
	{.file = "tc_perf_event", .steps = {P("tc_perf_event", PK_TCP4, ENOENT)}},
	{.file = "xdp_tail_depth",
	 .steps = {P("xdp_tail_depth", PK_TCP4, 33), P("xdp_tail_self", PK_UDP4, 67), P("xdp_tail_depth", PK_ARP, 33)}},
	{.file = "xdp_meta_tail",
	 .steps = {P("xdp_meta_tail", PK_TCP4, TX), P("xdp_meta_tail", PK_UDP4, PASS), P("xdp_meta_tail", PK_ARP, PASS)}},
	{.file = "xdp_tail_pinned", .steps = {P("xdp_tail_pinned", PK_TCP4, TX)}, .passes = 2},
	{.file = "tc_tail_call",
	 .steps = {PC("tc_tail_call", PK_TCP4, skb_mark0, NX), PC("tc_tail_call", PK_UDP4, skb_mark5, NX),
	  PC("tc_tail_call", PK_TCP4, skb_mark3, TC_UNSPEC)}},
	{.file = "tc_bloom_allow",
	 .steps = {P("tc_bloom_allow", PK_TCP4, TC_OK), P("tc_bloom_allow", PK_ICMP_REPLY, TC_OK),
	  P("tc_bloom_allow", PK_UDP4, TC_SHOT)}},
	{.file = "sys_global_data",
	 .steps = {C("sys_global_data", ga_3_4, NX), C("sys_global_data", ga_7_1, NX), C("sys_global_data", ga_7_1, NX)}},
	{.file = "sys_knobs", .steps = {C("sys_knobs", u32_10, ((10 * 3 + 100) ^ 0x5555) << 1)}, .rodata = knobs_cfg, .rodata_len = sizeof(knobs_cfg)},
	{.file = "sys_subprogs", .steps = {C("sys_subprogs", sub_a, NX), C("sys_subprogs", sub_b, NX)}},
	{.file = "sys_bpf_loop", .steps = {C("sys_bpf_loop", u64_27, 111), C("sys_bpf_loop", u64_1, 0), C("sys_bpf_loop", u64_6, 8)}},
	{.file = "sys_for_each", .steps = {C("sys_for_each", u32_3, 7)}},
	{.file = "sys_strtol", .steps = {C("sys_strtol", strtol_a, -42), C("sys_strtol", strtol_b, 123456789)}},
	{.file = "sys_snprintf", .steps = {C("sys_snprintf", u64_big, NX)}},
	{.file = "sys_atomics", .steps = {C("sys_atomics", u64_5, NX), C("sys_atomics", u64_9, NX)}},
	{.file = "sys_hash_ops", .steps = {C("sys_hash_ops", u32_100, 8), C("sys_hash_ops", u32_100, NX)}},
	{.file = "sys_percpu_hash", .steps = {C("sys_percpu_hash", u32_1, 1), C("sys_percpu_hash", u32_2, 1), C("sys_percpu_hash", u32_5, 2)}},
	{.file = "sys_lru_hash", .steps = {C("sys_lru_hash", u32_1, NX), C("sys_lru_hash", u32_2, NX)}},
	{.file = "sys_queue_stack", .steps = {C("sys_queue_stack", u32_10, NX)}},
	{.file = "sys_ringbuf", .steps = {C("sys_ringbuf", u64_77, 3)}},
	{.file = "sys_array_of_maps", .steps = {C("sys_array_of_maps", u32_0, NX), C("sys_array_of_maps", u32_1, NX)}},
	{.file = "sys_hash_of_maps",
	 .steps = {C("sys_hash_of_maps", hom_1, 10), C("sys_hash_of_maps", hom_2, 20), C("sys_hash_of_maps", hom_3, 11),
	  C("sys_hash_of_maps", hom_4, -2)}},
	{.file = "sys_pin", .steps = {C("sys_pin", u32_4, NX), C("sys_pin", u32_5, NX)}, .passes = 2},
	{.file = "sys_alu", .steps = {C("sys_alu", alu_1, NX), C("sys_alu", alu_2, NX), C("sys_alu", alu_3, NX)}},
	{.file = "sys_loops", .steps = {C("sys_loops", loops_1, NX), C("sys_loops", loops_2, NX)}},
	{.file = "sys_ctx_out", .steps = {C("sys_ctx_out", ctxo_1, 11), C("sys_ctx_out", ctxo_2, 24)}},
	{.file = "sys_ktime", .steps = {C("sys_ktime", u32_0, 3)}},
	{.file = "raw_tp_args", .steps = {C("raw_tp_args", rtp_1, 1), C("raw_tp_args", rtp_2, 0), C("raw_tp_args", rtp_3, 1)}},
	{.file = "raw_tp_bloom", .steps = {C("raw_tp_bloom", bloom_1, 0)}},
	{.file = "raw_tp_lpm", .steps = {C("raw_tp_lpm", lpm_1, 128)}},
	{.file = "tc_spin_lock",
	 .steps = {PC("tc_spin_lock", PK_TCP4, skb_mark5, 1), PC("tc_spin_lock", PK_UDP4, skb_mark5, 2),
		   PC("tc_spin_lock", PK_TCP4, skb_mark3, 1)}},
	{.file = "tp_sys_enter", .steps = {C("tp_sys_enter", tp_write_rec, 0), C("tp_sys_enter", tp_write_rec, 0)},
	 .load_only = true, .bpfrt_runs = true},
	{.file = "tp_sched_switch", .steps = {C("tp_sched_switch", tp_switch_rec, 0)}, .load_only = true,
	 .bpfrt_runs = true},
};

static const char *const variants[] = {"v3", "v3g", "v4", "v4g"};
#define NVARIANTS 4

/* ---- Outcomes ------------------------------------------------------------ */

struct blob {
	uint8_t *p;
	size_t len, cap;
};

static void blob_put(struct blob *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 256;
		while (cap < b->len + n)
			cap *= 2;
		uint8_t *np = realloc(b->p, cap);
		if (!np) {
			perror("realloc");
			exit(2);
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* One map's contents: records of rec_size bytes (key then value), sorted
 * for keyed maps, in pop order for queues/stacks/ring buffers (variable
 * size for ring buffers: a u32 length before each record). */
struct map_snap {
	char name[64];
	uint32_t type, key_size, value_size;
	const char *how; /* what was compared, for messages */
	uint32_t rec_size;
	uint32_t nrec;
	struct blob recs;
	int err; /* a failure while reading the map */
};

struct step_out {
	int err;
	uint32_t retval;
	uint8_t data[MAX_PKT + 64];
	uint32_t data_len;
	uint8_t ctx[MAX_CTX];
	uint32_t ctx_len;
};

struct outcome {
	int load_err;
	char load_msg[512];
	int nsteps;
	struct step_out steps[MAX_STEPS];
	int nmaps;
	struct map_snap maps[32];
};

static void outcome_free(struct outcome *o)
{
	for (int i = 0; i < o->nmaps; i++)
		free(o->maps[i].recs.p);
	memset(o, 0, sizeof(*o));
}

/* The map name both sides agree on: internal maps are "<obj>.bss" etc. in
 * libbpf; compare from the first '.' on. */
static void norm_name(char *dst, size_t n, const char *name)
{
	const char *dot = strchr(name, '.');
	snprintf(dst, n, "%s", dot ? dot : name);
}

static uint32_t ncpus;

static uint32_t possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	uint32_t n = 0;
	if (f) {
		char line[256];
		if (fgets(line, sizeof(line), f)) {
			char *s = line;
			while (*s && *s != '\n') {
				unsigned long a = strtoul(s, &s, 10), b = a;
				if (*s == '-')
					b = strtoul(s + 1, &s, 10);
				if (b + 1 > n)
					n = (uint32_t)b + 1;
				if (*s == ',')
					s++;
				else
					break;
			}
		}
		fclose(f);
	}
	return n ? n : 1;
}

static bool is_percpu(uint32_t t)
{
	return t == BPF_MAP_TYPE_PERCPU_ARRAY || t == BPF_MAP_TYPE_PERCPU_HASH || t == BPF_MAP_TYPE_LRU_PERCPU_HASH;
}

/* Sum a per-CPU value over CPUs, lane by lane (8-byte lanes when the value
 * size allows, else 4-byte): which CPU a test run used is not compared. */
static void percpu_sum(uint8_t *out, const uint8_t *in, uint32_t vs)
{
	uint32_t stride = (vs + 7) & ~7u;
	memset(out, 0, vs);
	for (uint32_t c = 0; c < ncpus; c++) {
		const uint8_t *v = in + (size_t)c * stride;
		if (vs % 8 == 0) {
			for (uint32_t i = 0; i < vs; i += 8) {
				uint64_t a, b;
				memcpy(&a, out + i, 8);
				memcpy(&b, v + i, 8);
				a += b;
				memcpy(out + i, &a, 8);
			}
		} else {
			for (uint32_t i = 0; i + 4 <= vs; i += 4) {
				uint32_t a, b;
				memcpy(&a, out + i, 4);
				memcpy(&b, v + i, 4);
				a += b;
				memcpy(out + i, &a, 4);
			}
		}
	}
}

/* Map access, the same shape on both sides (0 or negative errno). */
struct map_ops {
	void *ctx;
	int (*next_key)(void *ctx, int fd, const void *key, void *next);
	int (*lookup)(void *ctx, int fd, const void *key, void *val);
	int (*pop)(void *ctx, int fd, void *val);
	int (*ringbuf_drain)(void *ctx, int fd, struct blob *out, uint32_t *nrec);
};

static int rec_cmp_size;
static int rec_cmp(const void *a, const void *b)
{
	return memcmp(a, b, (size_t)rec_cmp_size);
}

static void snapshot_map(struct map_snap *m, const struct map_ops *ops, int fd)
{
	uint32_t t = m->type, ks = m->key_size, vs = m->value_size;
	size_t ubuf = is_percpu(t) ? (size_t)((vs + 7) & ~7u) * ncpus : vs;
	uint8_t *key = calloc(1, ks + 8), *next = calloc(1, ks + 8), *val = calloc(1, ubuf + 8),
		*sum = calloc(1, vs + 8);
	if (!key || !next || !val || !sum) {
		perror("calloc");
		exit(2);
	}
	switch (t) {
	case BPF_MAP_TYPE_QUEUE:
	case BPF_MAP_TYPE_STACK:
		m->how = "drained in pop order";
		m->rec_size = vs;
		while (ops->pop(ops->ctx, fd, val) == 0 && m->nrec < 100000) {
			blob_put(&m->recs, val, vs);
			m->nrec++;
		}
		break;
	case BPF_MAP_TYPE_RINGBUF:
		m->how = "records consumed in order";
		m->err = ops->ringbuf_drain(ops->ctx, fd, &m->recs, &m->nrec);
		break;
	case BPF_MAP_TYPE_BLOOM_FILTER:
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		m->how = "not iterable: not compared";
		break;
	default: {
		/* fd maps: values are ids, which differ; compare occupied keys. */
		bool ids = t == BPF_MAP_TYPE_PROG_ARRAY || t == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
			   t == BPF_MAP_TYPE_HASH_OF_MAPS;
		m->how = ids ? "occupied keys" : is_percpu(t) ? "key/value set, per-CPU values summed" : "key/value set";
		m->rec_size = ks + (ids ? 0 : vs);
		int err = ops->next_key(ops->ctx, fd, NULL, next);
		while (err == 0 && m->nrec < 100000) {
			memcpy(key, next, ks);
			int lerr = ops->lookup(ops->ctx, fd, key, val);
			if (lerr == 0) {
				blob_put(&m->recs, key, ks);
				if (!ids) {
					if (is_percpu(t)) {
						percpu_sum(sum, val, vs);
						blob_put(&m->recs, sum, vs);
					} else {
						blob_put(&m->recs, val, vs);
					}
				}
				m->nrec++;
			} else if (lerr != -ENOENT) {
				m->err = lerr;
			}
			err = ops->next_key(ops->ctx, fd, key, next);
		}
		if (err != -ENOENT && err != 0)
			m->err = err;
		if (m->rec_size && m->nrec) {
			rec_cmp_size = (int)m->rec_size;
			qsort(m->recs.p, m->nrec, m->rec_size, rec_cmp);
		}
	}
	}
	free(key);
	free(next);
	free(val);
	free(sum);
}

static int snap_cmp(const void *a, const void *b)
{
	return strcmp(((const struct map_snap *)a)->name, ((const struct map_snap *)b)->name);
}

/* ---- Reporting ------------------------------------------------------------ */

static int mismatches, kernel_comparisons, expect_failures;
static bool verbose;

static void hexdump_at(const char *label, const uint8_t *p, uint32_t n, uint32_t from)
{
	printf("      %s (%u bytes) from byte %u:", label, n, from);
	for (uint32_t i = from; i < n && i < from + 48; i++)
		printf("%s%02x", (i - from) % 16 ? " " : "\n        ", p[i]);
	printf("%s\n", n > from + 48 ? " ..." : "");
}

/* Both buffers from (a little before) their first difference. */
static void hexdiff(const uint8_t *a, uint32_t na, const uint8_t *b, uint32_t nb)
{
	uint32_t i = 0;
	while (i < na && i < nb && a[i] == b[i])
		i++;
	uint32_t from = i & ~15u;
	hexdump_at("kernel", a, na, from);
	hexdump_at("bpfrt ", b, nb, from);
}

__attribute__((unused)) static void fail(const char *file, const char *variant, const char *fmt, ...)
{
	va_list ap;
	printf("  MISMATCH %s.%s: ", file, variant);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	mismatches++;
}

/* Check a side's return values against the table's expectations. */
static void check_expect(const struct entry *e, const char *variant, const char *side, const struct outcome *o)
{
	if (o->load_err || (e->load_only && !(e->bpfrt_runs && !strcmp(side, "bpfrt"))))
		return;
	for (int i = 0; i < o->nsteps; i++) {
		const struct step *s = &e->steps[i];
		if (s->expect == NO_EXPECT)
			continue;
		if (o->steps[i].err) {
			printf("  FAIL %s.%s %s step %d (%s): test run failed: %s\n", e->file, variant, side, i, s->prog,
			       strerror(-o->steps[i].err));
			expect_failures++;
		} else if ((int64_t)(int32_t)o->steps[i].retval != s->expect) {
			printf("  FAIL %s.%s %s step %d (%s): retval %d, expected %" PRId64 "\n", e->file, variant, side,
			       i, s->prog, (int32_t)o->steps[i].retval, s->expect);
			expect_failures++;
		}
	}
}

__attribute__((unused)) static void compare(const struct entry *e, const char *variant, const struct outcome *k, const struct outcome *r)
{
	const char *f = e->file;
	if ((k->load_err != 0) != (r->load_err != 0)) {
		fail(f, variant, "load: kernel %s, bpfrt %s", k->load_err ? k->load_msg : "ok",
		     r->load_err ? r->load_msg : "ok");
		return;
	}
	if (k->load_err || e->load_only)
		return; /* only the load verdicts compare; bpfrt's own runs were checked against expect */
	for (int i = 0; i < k->nsteps && i < r->nsteps; i++) {
		const struct step_out *a = &k->steps[i], *b = &r->steps[i];
		const char *pn = e->steps[i].prog;
		if (a->err != b->err) {
			fail(f, variant, "step %d (%s): test run: kernel %s, bpfrt %s", i, pn,
			     a->err ? strerror(-a->err) : "ok", b->err ? strerror(-b->err) : "ok");
			continue;
		}
		if (a->err)
			continue;
		if (a->retval != b->retval)
			fail(f, variant, "step %d (%s): retval kernel %d, bpfrt %d", i, pn, (int32_t)a->retval,
			     (int32_t)b->retval);
		if (a->data_len != b->data_len || memcmp(a->data, b->data, a->data_len)) {
			fail(f, variant, "step %d (%s): packet output differs", i, pn);
			hexdiff(a->data, a->data_len, b->data, b->data_len);
		}
		if (a->ctx_len != b->ctx_len || memcmp(a->ctx, b->ctx, a->ctx_len)) {
			fail(f, variant, "step %d (%s): ctx output differs", i, pn);
			hexdiff(a->ctx, a->ctx_len, b->ctx, b->ctx_len);
		}
	}
	if (k->nsteps != r->nsteps)
		fail(f, variant, "steps run: kernel %d, bpfrt %d", k->nsteps, r->nsteps);
	int i = 0, j = 0;
	while (i < k->nmaps || j < r->nmaps) {
		int c = i >= k->nmaps ? 1 : j >= r->nmaps ? -1 : strcmp(k->maps[i].name, r->maps[j].name);
		if (c < 0) {
			fail(f, variant, "map %s only in the kernel's object", k->maps[i].name);
			i++;
			continue;
		}
		if (c > 0) {
			fail(f, variant, "map %s only in bpfrt's object", r->maps[j].name);
			j++;
			continue;
		}
		const struct map_snap *a = &k->maps[i++], *b = &r->maps[j++];
		if (a->type != b->type || a->key_size != b->key_size || a->value_size != b->value_size) {
			fail(f, variant, "map %s: kernel type %u key %u value %u, bpfrt type %u key %u value %u", a->name,
			     a->type, a->key_size, a->value_size, b->type, b->key_size, b->value_size);
			continue;
		}
		if (a->err || b->err) {
			fail(f, variant, "map %s: reading failed: kernel %d, bpfrt %d", a->name, a->err, b->err);
			continue;
		}
		if (a->nrec != b->nrec || a->recs.len != b->recs.len ||
		    (a->recs.len && memcmp(a->recs.p, b->recs.p, a->recs.len))) {
			fail(f, variant, "map %s (%s): kernel %u records, bpfrt %u", a->name, a->how, a->nrec, b->nrec);
			hexdiff(a->recs.p, (uint32_t)a->recs.len, b->recs.p, (uint32_t)b->recs.len);
		}
	}
}

static void print_outcome(const char *side, const struct entry *e, const struct outcome *o)
{
	printf("    %s: load %s", side, o->load_err ? o->load_msg : "ok");
	for (int i = 0; i < o->nsteps; i++)
		if (o->steps[i].err)
			printf(" [%d: %s]", i, strerror(-o->steps[i].err));
		else
			printf(" [%d: %d]", i, (int32_t)o->steps[i].retval);
	printf("\n");
	if (!verbose)
		return;
	for (int i = 0; i < o->nmaps; i++)
		printf("      map %-16s type %2u: %u records (%s)\n", o->maps[i].name, o->maps[i].type,
		       o->maps[i].nrec, o->maps[i].how);
	(void)e;
}

/* Common test-run plumbing: inputs of a step into sizes and buffers. */
static void step_inputs(const struct step *s, bool packet, const void **data, uint32_t *dlen)
{
	*data = NULL;
	*dlen = 0;
	if (packet && s->pkt != PK_NONE) {
		*data = pkts[s->pkt].b;
		*dlen = pkts[s->pkt].len;
	}
}

static bool type_has_packet(uint32_t t)
{
	return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SOCKET_FILTER ||
	       t == BPF_PROG_TYPE_SCHED_ACT;
}

/* ctx_out size to ask for: __sk_buff for skb programs, none otherwise.
 * SYSCALL programs take no ctx_out: the kernel writes the context back
 * into ctx_in, which is what gets compared for them. */
static uint32_t ctx_out_size(uint32_t t)
{
	if (t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SOCKET_FILTER)
		return sizeof(struct __sk_buff);
	return 0;
}

/* The kernel's test run refuses repeat for SYSCALL and RAW_TRACEPOINT (and
 * bpfrt for the record types it runs that the kernel cannot). */
static uint32_t run_repeat(uint32_t t)
{
	return t == BPF_PROG_TYPE_SYSCALL || t == BPF_PROG_TYPE_RAW_TRACEPOINT || t == BPF_PROG_TYPE_TRACEPOINT ||
			       t == BPF_PROG_TYPE_KPROBE || t == BPF_PROG_TYPE_PERF_EVENT
		       ? 0
		       : 1;
}

static void syscall_ctx_back(uint32_t t, const struct step *s, struct step_out *so, const uint8_t *ctx_in)
{
	if (t != BPF_PROG_TYPE_SYSCALL || !s->ctx)
		return;
	memcpy(so->ctx, ctx_in, s->ctx_len);
	so->ctx_len = s->ctx_len;
}

static char pin_root_kernel[256], pin_root_bpfrt[300], rt_root_bpfrt[256];

/* ---- Kernel side (libbpf) ---------------------------------------------- */

#ifdef PROGS_HAVE_LIBBPF
static int k_next_key(void *ctx, int fd, const void *key, void *next)
{
	(void)ctx;
	return bpf_map_get_next_key(fd, key, next) ? -errno : 0;
}

static int k_lookup(void *ctx, int fd, const void *key, void *val)
{
	(void)ctx;
	return bpf_map_lookup_elem(fd, key, val) ? -errno : 0;
}

static int k_pop(void *ctx, int fd, void *val)
{
	(void)ctx;
	return bpf_map_lookup_and_delete_elem(fd, NULL, val) ? -errno : 0;
}

struct rb_sink {
	struct blob *out;
	uint32_t *nrec;
};

static int rb_record(void *ctx, void *data, size_t size)
{
	struct rb_sink *s = ctx;
	uint32_t n = (uint32_t)size;
	blob_put(s->out, &n, 4);
	blob_put(s->out, data, size);
	(*s->nrec)++;
	return 0;
}

static int k_ringbuf_drain(void *ctx, int fd, struct blob *out, uint32_t *nrec)
{
	(void)ctx;
	struct rb_sink sink = {out, nrec};
	struct ring_buffer *rb = ring_buffer__new(fd, rb_record, &sink, NULL);
	if (!rb)
		return -errno;
	int n = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return n < 0 ? n : 0;
}

static const struct map_ops kernel_ops = {NULL, k_next_key, k_lookup, k_pop, k_ringbuf_drain};

static bool kernel_available(void)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	int fd = (int)syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int set_rodata_kernel(struct bpf_object *obj, const struct entry *e)
{
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj)
	{
		char n[64];
		norm_name(n, sizeof(n), bpf_map__name(m));
		if (strcmp(n, ".rodata"))
			continue;
		size_t sz = 0;
		const void *init = bpf_map__initial_value(m, &sz);
		if (!init || sz < e->rodata_len)
			return -EINVAL;
		uint8_t *copy = malloc(sz);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, init, sz);
		memcpy(copy, e->rodata, e->rodata_len);
		int err = bpf_map__set_initial_value(m, copy, sz);
		free(copy);
		return err;
	}
	return -ENOENT;
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (verbose && level != LIBBPF_DEBUG)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

static void run_kernel(const struct entry *e, const char *path, struct outcome *o)
{
	struct bpf_object *obj = NULL;
	for (int pass = 0; pass < (e->passes ? e->passes : 1); pass++) {
		if (obj)
			bpf_object__close(obj);
		LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "prog", .pin_root_path = pin_root_kernel);
		obj = bpf_object__open_file(path, &oo);
		if (!obj) {
			o->load_err = -errno;
			snprintf(o->load_msg, sizeof(o->load_msg), "open failed: %s", strerror(errno));
			return;
		}
		if (e->rodata && set_rodata_kernel(obj, e)) {
			o->load_err = -EINVAL;
			snprintf(o->load_msg, sizeof(o->load_msg), "cannot set .rodata");
			goto out;
		}
		int err = bpf_object__load(obj);
		if (err) {
			o->load_err = err;
			snprintf(o->load_msg, sizeof(o->load_msg), "load failed: %s", strerror(-err));
			goto out;
		}
		if (e->load_only)
			goto out;
		o->nsteps = 0;
		for (int i = 0; i < MAX_STEPS && e->steps[i].prog; i++) {
			const struct step *s = &e->steps[i];
			struct step_out *so = &o->steps[o->nsteps++];
			memset(so, 0, sizeof(*so));
			struct bpf_program *p = bpf_object__find_program_by_name(obj, s->prog);
			if (!p) {
				so->err = -ENOENT;
				continue;
			}
			uint32_t t = bpf_program__type(p);
			const void *data;
			uint32_t dlen;
			step_inputs(s, type_has_packet(t), &data, &dlen);
			uint8_t ctx_in[MAX_CTX];
			memset(ctx_in, 0, sizeof(ctx_in));
			if (s->ctx)
				memcpy(ctx_in, s->ctx, s->ctx_len);
			LIBBPF_OPTS(bpf_test_run_opts, ro, .data_in = data, .data_size_in = dlen,
				    .data_out = data ? so->data : NULL, .data_size_out = data ? sizeof(so->data) : 0,
				    .ctx_in = s->ctx ? ctx_in : NULL, .ctx_size_in = s->ctx_len,
				    .repeat = run_repeat(t));
			uint32_t cout = ctx_out_size(t);
			if (cout) {
				ro.ctx_out = so->ctx;
				ro.ctx_size_out = cout;
			}
			if (bpf_prog_test_run_opts(bpf_program__fd(p), &ro)) {
				so->err = -errno;
				continue;
			}
			so->retval = ro.retval;
			so->data_len = data ? ro.data_size_out : 0;
			so->ctx_len = cout ? ro.ctx_size_out : 0;
			syscall_ctx_back(t, s, so, ctx_in);
		}
	}
	struct bpf_map *m;
	bpf_object__for_each_map(m, obj)
	{
		if (o->nmaps >= (int)(sizeof(o->maps) / sizeof(o->maps[0])))
			break;
		struct map_snap *ms = &o->maps[o->nmaps++];
		norm_name(ms->name, sizeof(ms->name), bpf_map__name(m));
		ms->type = bpf_map__type(m);
		ms->key_size = bpf_map__key_size(m);
		ms->value_size = bpf_map__value_size(m);
		snapshot_map(ms, &kernel_ops, bpf_map__fd(m));
	}
	qsort(o->maps, (size_t)o->nmaps, sizeof(o->maps[0]), snap_cmp);
out:
	bpf_object__close(obj);
}
#endif

/* ---- bpfrt side (the object loader) ------------------------------------ */

#ifdef PROGS_HAVE_LOADER
static struct bpfrt *rt;

static int r_next_key(void *ctx, int fd, const void *key, void *next)
{
	(void)ctx;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.next_key = (uint64_t)(uintptr_t)next;
	int r = bpfrt_bpf(rt, BPF_MAP_GET_NEXT_KEY, &a, sizeof(a));
	return r < 0 ? r : 0;
}

static int r_lookup(void *ctx, int fd, const void *key, void *val)
{
	(void)ctx;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)val;
	int r = bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
	return r < 0 ? r : 0;
}

static int r_pop(void *ctx, int fd, void *val)
{
	(void)ctx;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.value = (uint64_t)(uintptr_t)val;
	int r = bpfrt_bpf(rt, BPF_MAP_LOOKUP_AND_DELETE_ELEM, &a, sizeof(a));
	return r < 0 ? r : 0;
}

struct rrb_sink {
	struct blob *out;
	uint32_t *nrec;
};

static int rrb_record(void *ctx, void *data, size_t size)
{
	struct rrb_sink *s = ctx;
	uint32_t n = (uint32_t)size;
	blob_put(s->out, &n, 4);
	blob_put(s->out, data, size);
	(*s->nrec)++;
	return 0;
}

static int r_ringbuf_drain(void *ctx, int fd, struct blob *out, uint32_t *nrec)
{
	(void)ctx;
	struct rrb_sink sink = {out, nrec};
	struct bpfrt_ringbuf *rb = bpfrt_ringbuf_new(rt, fd, rrb_record, &sink);
	if (!rb)
		return -errno;
	int n = bpfrt_ringbuf_consume(rb);
	bpfrt_ringbuf_free(rb);
	return n < 0 ? n : 0;
}

static const struct map_ops bpfrt_ops = {NULL, r_next_key, r_lookup, r_pop, r_ringbuf_drain};

static int set_rodata_bpfrt(struct bpfrt_object *obj, const struct entry *e)
{
	for (struct bpfrt_object_map *m = bpfrt_object_next_map(obj, NULL); m; m = bpfrt_object_next_map(obj, m)) {
		char n[64];
		norm_name(n, sizeof(n), bpfrt_object_map_name(m));
		if (strcmp(n, ".rodata"))
			continue;
		size_t sz = 0;
		const void *init = bpfrt_object_map_initial_value(m, &sz);
		if (!init || sz < e->rodata_len)
			return -EINVAL;
		uint8_t *copy = malloc(sz);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, init, sz);
		memcpy(copy, e->rodata, e->rodata_len);
		int err = bpfrt_object_map_set_initial_value(m, copy, sz);
		free(copy);
		return err;
	}
	return -ENOENT;
}

static void run_bpfrt(const struct entry *e, const char *path, struct outcome *o)
{
	struct bpfrt_object *obj = NULL;
	for (int pass = 0; pass < (e->passes ? e->passes : 1); pass++) {
		if (obj)
			bpfrt_object_close(obj);
		struct bpfrt_object_open_opts oo = {.sz = sizeof(oo), .object_name = "prog",
						    .pin_root_path = pin_root_bpfrt};
		struct bpfrt_diag diag;
		memset(&diag, 0, sizeof(diag));
		obj = bpfrt_object_open_file(rt, path, &oo, &diag);
		if (!obj) {
			o->load_err = -errno;
			snprintf(o->load_msg, sizeof(o->load_msg), "open failed: %s: %s", strerror(errno), diag.msg);
			return;
		}
		if (e->rodata && set_rodata_bpfrt(obj, e)) {
			o->load_err = -EINVAL;
			snprintf(o->load_msg, sizeof(o->load_msg), "cannot set .rodata");
			goto out;
		}
		int err = bpfrt_object_load(obj);
		if (err) {
			o->load_err = err;
			snprintf(o->load_msg, sizeof(o->load_msg), "load failed: %s: %s", strerror(-err),
				 bpfrt_object_error(obj));
			goto out;
		}
		if (e->load_only && !e->bpfrt_runs)
			goto out;
		o->nsteps = 0;
		for (int i = 0; i < MAX_STEPS && e->steps[i].prog; i++) {
			const struct step *s = &e->steps[i];
			struct step_out *so = &o->steps[o->nsteps++];
			memset(so, 0, sizeof(*so));
			struct bpfrt_program *p = bpfrt_object_find_program_by_name(obj, s->prog);
			if (!p) {
				so->err = -ENOENT;
				continue;
			}
			uint32_t t = bpfrt_program_type(p);
			const void *data;
			uint32_t dlen;
			step_inputs(s, type_has_packet(t), &data, &dlen);
			uint8_t ctx_in[MAX_CTX];
			memset(ctx_in, 0, sizeof(ctx_in));
			if (s->ctx)
				memcpy(ctx_in, s->ctx, s->ctx_len);
			union bpf_attr a;
			memset(&a, 0, sizeof(a));
			a.test.prog_fd = (uint32_t)bpfrt_program_fd(p);
			a.test.data_in = (uint64_t)(uintptr_t)data;
			a.test.data_size_in = dlen;
			if (data) {
				a.test.data_out = (uint64_t)(uintptr_t)so->data;
				a.test.data_size_out = sizeof(so->data);
			}
			if (s->ctx) {
				a.test.ctx_in = (uint64_t)(uintptr_t)ctx_in;
				a.test.ctx_size_in = s->ctx_len;
			}
			uint32_t cout = ctx_out_size(t);
			if (cout) {
				a.test.ctx_out = (uint64_t)(uintptr_t)so->ctx;
				a.test.ctx_size_out = cout;
			}
			a.test.repeat = run_repeat(t);
			int r = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
			if (r < 0) {
				so->err = r;
				continue;
			}
			so->retval = a.test.retval;
			so->data_len = data ? a.test.data_size_out : 0;
			so->ctx_len = cout ? a.test.ctx_size_out : 0;
			syscall_ctx_back(t, s, so, ctx_in);
		}
	}
	for (struct bpfrt_object_map *m = bpfrt_object_next_map(obj, NULL); m; m = bpfrt_object_next_map(obj, m)) {
		if (o->nmaps >= (int)(sizeof(o->maps) / sizeof(o->maps[0])))
			break;
		struct map_snap *ms = &o->maps[o->nmaps++];
		norm_name(ms->name, sizeof(ms->name), bpfrt_object_map_name(m));
		ms->type = bpfrt_object_map_type(m);
		ms->key_size = bpfrt_object_map_key_size(m);
		ms->value_size = bpfrt_object_map_value_size(m);
		snapshot_map(ms, &bpfrt_ops, bpfrt_object_map_fd(m));
	}
	qsort(o->maps, (size_t)o->nmaps, sizeof(o->maps[0]), snap_cmp);
out:
	bpfrt_object_close(obj);
}
#endif

/* ---- Pin roots ------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path) && errno != ENOENT ? -1 : 0;
}

/* Remove dir and everything under it (pins, bpfrt's shared map files). */
static void rm_tree(const char *dir)
{
	if (dir[0] && nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) && errno != ENOENT)
		fprintf(stderr, "run_progs: could not remove %s: %s\n", dir, strerror(errno));
}

/* Remove the files directly in dir (pins left by the previous run). */
static void clear_dir(const char *dir)
{
	if (!dir[0])
		return;
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char p[600];
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (unlink(p) && errno != ENOENT && errno != EPERM) /* a fresh bpffs has undeletable *.debug files */
			fprintf(stderr, "run_progs: could not remove %s: %s\n", p, strerror(errno));
	}
	closedir(d);
}

/* The kernel pins on bpffs: /sys/fs/bpf/<private dir> when /sys/fs/bpf is
 * a bpffs, else a private bpffs mount.  Returns false when neither works
 * (pinning entries then fail on the kernel side, reported as such). */
static bool setup_kernel_pin_root(void)
{
	struct statfs sf;
	if (statfs("/sys/fs/bpf", &sf) == 0 && (uint32_t)sf.f_type == BPF_FS_MAGIC_NUM) {
		snprintf(pin_root_kernel, sizeof(pin_root_kernel), "/sys/fs/bpf/bpfrt-progs-%d", (int)getpid());
		if (mkdir(pin_root_kernel, 0700) == 0)
			return true;
	}
	snprintf(pin_root_kernel, sizeof(pin_root_kernel), "/tmp/bpfrt-progs-kpin-%d", (int)getpid());
	if (mkdir(pin_root_kernel, 0700) == 0 && mount("bpf", pin_root_kernel, "bpf", 0, NULL) == 0)
		return true;
	return false;
}

static void cleanup_kernel_pin_root(void)
{
	if (!pin_root_kernel[0])
		return;
	if (strncmp(pin_root_kernel, "/tmp/", 5) == 0)
		umount(pin_root_kernel);
	rm_tree(pin_root_kernel);
}

static void clear_pins(void)
{
	clear_dir(pin_root_kernel);
	clear_dir(pin_root_bpfrt);
}

/* ---- Main ---------------------------------------------------------------- */

static bool selected(const char *name, int argc, char **argv, int first)
{
	if (first >= argc)
		return true;
	for (int i = first; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && strcmp(argv[1], "--no-clang") == 0) {
		printf("SKIP: no clang able to compile -target bpf was found at configure time\n");
		return 77;
	}
	int first = 2;
	if (argc >= 2 && strcmp(argv[1], "-v") == 0) {
		verbose = true;
		argv++;
		argc--;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: run_progs [-v] OBJDIR [NAME...]\n");
		return 2;
	}
	const char *objdir = argv[1];
	ncpus = possible_cpus();
	build_packets();

	bool have_kernel = false, have_bpfrt = false;
#ifdef PROGS_HAVE_LIBBPF
	libbpf_set_print(libbpf_quiet);
	have_kernel = kernel_available();
	if (!have_kernel)
		printf("kernel side skipped: bpf() is not available here (%s)\n", strerror(errno));
	else if (!setup_kernel_pin_root())
		printf("note: no bpffs for the kernel's pins; pinning entries will fail on the kernel side\n");
#else
	printf("kernel side skipped: built without libbpf\n");
#endif
#ifdef PROGS_HAVE_LOADER
	snprintf(rt_root_bpfrt, sizeof(rt_root_bpfrt), "/tmp/bpfrt-progs-rt-%d", (int)getpid());
	snprintf(pin_root_bpfrt, sizeof(pin_root_bpfrt), "%s/pins", rt_root_bpfrt);
	struct bpfrt_opts ropts = {.sz = sizeof(ropts), .pin_root = rt_root_bpfrt};
	rt = bpfrt_new(&ropts);
	if (!rt) {
		printf("bpfrt side skipped: bpfrt_new: %s\n", strerror(errno));
	} else {
		mkdir(rt_root_bpfrt, 0700);
		mkdir(pin_root_bpfrt, 0700);
		have_bpfrt = true;
	}
#else
	printf("bpfrt side skipped: this tree has no object loader yet (src/loader/object.c)\n");
#endif
	if (!have_kernel && !have_bpfrt) {
		printf("SKIP: neither the kernel's bpf() nor bpfrt's loader is available\n");
		cleanup_kernel_pin_root();
		return 77;
	}

	int nprogs = 0, kernel_loads = 0, kernel_load_fail = 0, bpfrt_loads = 0, bpfrt_load_fail = 0;
	int missing = 0;
	for (size_t ei = 0; ei < sizeof(corpus) / sizeof(corpus[0]); ei++) {
		const struct entry *e = &corpus[ei];
		if (!selected(e->file, argc, argv, first))
			continue;
		nprogs++;
		for (int v = 0; v < NVARIANTS; v++) {
			char path[1024];
			snprintf(path, sizeof(path), "%s/%s.%s.o", objdir, e->file, variants[v]);
			if (access(path, R_OK)) {
				printf("  MISSING %s\n", path);
				missing++;
				continue;
			}
			static struct outcome ko, ro;
			memset(&ko, 0, sizeof(ko));
			memset(&ro, 0, sizeof(ro));
			printf("%s.%s\n", e->file, variants[v]);
#ifdef PROGS_HAVE_LIBBPF
			if (have_kernel) {
				clear_pins();
				run_kernel(e, path, &ko);
				kernel_loads++;
				if (ko.load_err) {
					kernel_load_fail++;
					printf("  FAIL %s.%s kernel %s\n", e->file, variants[v], ko.load_msg);
					expect_failures++;
				}
				print_outcome("kernel", e, &ko);
				check_expect(e, variants[v], "kernel", &ko);
			}
#endif
#ifdef PROGS_HAVE_LOADER
			if (have_bpfrt) {
				clear_pins();
				run_bpfrt(e, path, &ro);
				bpfrt_loads++;
				if (ro.load_err)
					bpfrt_load_fail++;
				print_outcome("bpfrt ", e, &ro);
				check_expect(e, variants[v], "bpfrt", &ro);
				if (have_kernel) {
					compare(e, variants[v], &ko, &ro);
					kernel_comparisons++;
				} else if (ro.load_err) {
					fail(e->file, variants[v], "bpfrt %s", ro.load_msg);
				}
			}
#endif
			outcome_free(&ko);
			outcome_free(&ro);
		}
	}
	clear_pins();
	cleanup_kernel_pin_root();
	if (rt_root_bpfrt[0])
		rm_tree(rt_root_bpfrt);
#ifdef PROGS_HAVE_LOADER
	if (rt)
		bpfrt_free(rt);
#endif
	printf("progs: %d programs x %d builds, %d kernel comparisons, %d mismatches\n", nprogs, NVARIANTS,
	       kernel_comparisons, mismatches);
	printf("progs: kernel loads %d (%d failed), bpfrt loads %d (%d failed), %d expectation failures, %d objects "
	       "missing\n",
	       kernel_loads, kernel_load_fail, bpfrt_loads, bpfrt_load_fail, expect_failures, missing);
	(void)have_bpfrt;
	return mismatches || expect_failures || missing ? 1 : 0;
}
