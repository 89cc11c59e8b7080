/* filter_gen.c — writes a capture of generated traffic for bpfrt filter's
 * differential test (tests/hooks/test_filter_vs_tcpdump.sh) and benchmark
 * (bench/filter_bench.sh): Ethernet with and without 802.1Q (and QinQ)
 * tags, IPv4 (options, fragments, low TTLs), IPv6 (extension headers,
 * fragments), TCP (all flag mixes, options), UDP, ICMP, ICMPv6, ARP and
 * other EtherTypes, addresses and ports drawn from small pools so that
 * filters match some packets, and about one packet in ten truncated
 * (caplen < len).  Deterministic: the same seed gives the same bytes.
 *
 * Usage: filter_gen OUT COUNT SEED [pcap|pcap-ns|pcap-swapped|pcapng|pcap-jumbo]
 * pcap-jumbo: every 7th frame grows to 100,000-262,144 bytes (records
 * larger than a reader's chunk).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state;
static uint32_t rnd(void)
{
	state = state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(state >> 33);
}
static uint32_t pick(uint32_t n)
{
	return rnd() % n;
}

struct pkt {
	uint8_t b[1600];
	uint32_t n;
};

static void put8(struct pkt *p, uint32_t v)
{
	p->b[p->n++] = (uint8_t)v;
}
static void put16(struct pkt *p, uint32_t v)
{
	put8(p, v >> 8);
	put8(p, v);
}
static void put32(struct pkt *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p, v);
}
static void putn(struct pkt *p, const uint8_t *d, uint32_t n)
{
	memcpy(p->b + p->n, d, n);
	p->n += n;
}
static void put_random(struct pkt *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		put8(p, rnd());
}

static const uint8_t macs[][6] = {
	{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}, {0x02, 0x00, 0x00, 0x00, 0x00, 0x01},
	{0x52, 0x54, 0x00, 0x12, 0x34, 0x56}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	{0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb}, {0x33, 0x33, 0x00, 0x00, 0x00, 0x01},
};
static const uint32_t ip4s[] = {
	0x0a000001, 0x0a000002, 0x0a000105, 0x0a0001fe, 0xc0a80101, 0xc0a80164,
	0xac100001, 0x08080808, 0xe00000fb, 0xffffffff, 0x7f000001, 0x0a0a0a0a,
};
static const uint16_t ports[] = {80, 443, 22, 53, 8080, 123, 5353, 25, 1024, 6000, 65535, 0};

static void put_mac(struct pkt *p)
{
	if (pick(8) == 0) {
		put_random(p, 6);
		return;
	}
	putn(p, macs[pick(sizeof(macs) / sizeof(macs[0]))], 6);
}
static uint32_t ip4(void)
{
	return pick(6) == 0 ? rnd() : ip4s[pick(sizeof(ip4s) / sizeof(ip4s[0]))];
}
static uint32_t port(void)
{
	return pick(3) == 0 ? 1024 + pick(64000) : ports[pick(sizeof(ports) / sizeof(ports[0]))];
}
static void put_ip6(struct pkt *p)
{
	static const uint8_t pool[][16] = {
		{0x20, 0x01, 0x0d, 0xb8, [15] = 1},
		{0x20, 0x01, 0x0d, 0xb8, [15] = 2},
		{0xfe, 0x80, [15] = 1},
		{0xff, 0x02, [15] = 1},
		{[15] = 1},
	};
	if (pick(5) == 0)
		put_random(p, 16);
	else
		putn(p, pool[pick(sizeof(pool) / sizeof(pool[0]))], 16);
}

/* TCP/UDP/ICMP/ICMPv6 header and payload for protocol proto. */
static void put_l4(struct pkt *p, uint32_t proto)
{
	uint32_t payload = pick(4) == 0 ? pick(1200) : pick(120);
	if (proto == 6) {
		static const uint8_t flags[] = {0x02, 0x12, 0x10, 0x18, 0x11, 0x04, 0x14, 0x01, 0x29, 0xc2, 0x3f};
		uint32_t doff = pick(3) == 0 ? 8 : 5;
		put16(p, port());
		put16(p, port());
		put32(p, rnd());
		put32(p, rnd());
		put8(p, doff << 4);
		put8(p, flags[pick(sizeof(flags))]);
		put16(p, rnd());
		put32(p, rnd());
		for (uint32_t i = 5; i < doff; i++)
			put32(p, 0x01010402 + i);
	} else if (proto == 17) {
		put16(p, port());
		put16(p, port());
		put16(p, 8 + payload);
		put16(p, rnd());
	} else if (proto == 1 || proto == 58) {
		static const uint8_t t4[] = {8, 0, 3, 11, 5}, t6[] = {128, 129, 135, 136, 1, 2};
		put8(p, proto == 1 ? t4[pick(sizeof(t4))] : t6[pick(sizeof(t6))]);
		put8(p, pick(4));
		put16(p, rnd());
		put32(p, rnd());
	}
	put_random(p, payload);
}

static uint32_t l4_proto(void)
{
	static const uint8_t protos[] = {6, 6, 6, 6, 17, 17, 17, 1, 47, 132};
	return protos[pick(sizeof(protos))];
}

static void put_ipv4(struct pkt *p)
{
	uint32_t start = p->n, ihl = pick(6) == 0 ? 5 + 1 + pick(3) : 5;
	uint32_t proto = l4_proto();
	static const uint8_t ttls[] = {1, 2, 32, 63, 64, 64, 128, 255};
	uint32_t frag = 0;
	switch (pick(12)) {
	case 0: frag = 0x2000; break;               /* first fragment (MF) */
	case 1: frag = 0x2000 | (1 + pick(300)); break; /* middle */
	case 2: frag = 1 + pick(300); break;         /* last */
	case 3: frag = 0x4000; break;               /* DF */
	default: break;
	}
	put8(p, 0x40 | ihl);
	put8(p, pick(4) << 2);
	put16(p, 0); /* total length, below */
	put16(p, rnd());
	put16(p, frag);
	put8(p, ttls[pick(sizeof(ttls))]);
	put8(p, proto);
	put16(p, rnd());
	put32(p, ip4());
	put32(p, ip4());
	for (uint32_t i = 5; i < ihl; i++)
		put32(p, i == 5 ? 0x94040000 : 0x01010101); /* router alert, NOPs */
	if (frag & 0x1fff)
		put_random(p, 8 + pick(100));
	else
		put_l4(p, proto == 1 ? 1 : proto);
	uint32_t len = p->n - start;
	p->b[start + 2] = (uint8_t)(len >> 8);
	p->b[start + 3] = (uint8_t)len;
}

static void put_ipv6(struct pkt *p)
{
	uint32_t start = p->n;
	uint32_t proto = pick(5) == 0 ? 58 : l4_proto();
	if (proto == 1)
		proto = 58;
	uint32_t ext = pick(8); /* 0: hop-by-hop, 1: fragment */
	put32(p, 0x60000000 | pick(1 << 20));
	put16(p, 0);
	put8(p, ext == 0 ? 0 : ext == 1 ? 44 : proto);
	put8(p, pick(2) ? 64 : 255);
	put_ip6(p);
	put_ip6(p);
	if (ext == 0) {
		put8(p, proto);
		put8(p, 0);
		put16(p, 0x0502);
		put32(p, 0x00000100);
	} else if (ext == 1) {
		put8(p, proto);
		put8(p, 0);
		put16(p, pick(2) ? 1 : (pick(100) << 3)); /* M=1 offset 0, or a later fragment */
		put32(p, rnd());
	}
	put_l4(p, proto);
	uint32_t len = p->n - start - 40;
	p->b[start + 4] = (uint8_t)(len >> 8);
	p->b[start + 5] = (uint8_t)len;
}

static void put_arp(struct pkt *p)
{
	put16(p, 1);
	put16(p, 0x0800);
	put8(p, 6);
	put8(p, 4);
	put16(p, 1 + pick(2));
	put_mac(p);
	put32(p, ip4());
	put_mac(p);
	put32(p, ip4());
}

static void make_packet(struct pkt *p)
{
	p->n = 0;
	put_mac(p);
	put_mac(p);
	uint32_t tags = pick(10) == 0 ? 1 : pick(40) == 0 ? 2 : 0;
	for (uint32_t t = 0; t < tags; t++) {
		static const uint16_t vids[] = {10, 20, 100, 4094};
		put16(p, tags == 2 && t == 0 ? 0x88a8 : 0x8100);
		put16(p, (pick(8) << 13) | vids[pick(4)]);
	}
	uint32_t kind = pick(100);
	if (kind < 55) {
		put16(p, 0x0800);
		put_ipv4(p);
	} else if (kind < 80) {
		put16(p, 0x86dd);
		put_ipv6(p);
	} else if (kind < 90) {
		put16(p, 0x0806);
		put_arp(p);
	} else {
		static const uint16_t other[] = {0x88cc, 0x8035, 0x88e5, 0x0842, 0x0060};
		put16(p, other[pick(5)]);
		put_random(p, 30 + pick(60));
	}
	while (p->n < 60) /* Ethernet's minimum frame */
		put8(p, 0);
}

/* ---- writers -------------------------------------------------------------- */

static uint32_t sw32(uint32_t v, int swap)
{
	return swap ? __builtin_bswap32(v) : v;
}
static uint16_t sw16(uint16_t v, int swap)
{
	return swap ? __builtin_bswap16(v) : v;
}

static void write_u32(FILE *f, uint32_t v)
{
	fwrite(&v, 4, 1, f);
}
static void write_u16(FILE *f, uint16_t v)
{
	fwrite(&v, 2, 1, f);
}

static void pcap_header(FILE *f, int ns, int swap)
{
	write_u32(f, sw32(ns ? 0xa1b23c4d : 0xa1b2c3d4, swap));
	write_u16(f, sw16(2, swap));
	write_u16(f, sw16(4, swap));
	write_u32(f, 0);
	write_u32(f, 0);
	write_u32(f, sw32(262144, swap));
	write_u32(f, sw32(1, swap)); /* LINKTYPE_ETHERNET */
}

static void pcap_record(FILE *f, uint64_t t_ns, const struct pkt *p, uint32_t caplen, int ns, int swap,
			uint32_t extra)
{
	write_u32(f, sw32((uint32_t)(t_ns / 1000000000u), swap));
	write_u32(f, sw32((uint32_t)(ns ? t_ns % 1000000000u : t_ns % 1000000000u / 1000u), swap));
	write_u32(f, sw32(caplen + extra, swap));
	write_u32(f, sw32(p->n + extra, swap));
	fwrite(p->b, 1, caplen, f);
	for (uint32_t i = 0; i < extra; i++) /* a jumbo frame's tail */
		fputc((int)(rnd() & 0xff), f);
}

static void pcapng_header(FILE *f)
{
	/* Section header block, then one interface (Ethernet, snaplen 262144,
	 * nanosecond timestamps: if_tsresol = 9). */
	write_u32(f, 0x0a0d0d0a);
	write_u32(f, 28);
	write_u32(f, 0x1a2b3c4d);
	write_u16(f, 1);
	write_u16(f, 0);
	write_u32(f, 0xffffffff);
	write_u32(f, 0xffffffff);
	write_u32(f, 28);
	write_u32(f, 1);
	write_u32(f, 32);
	write_u16(f, 1);
	write_u16(f, 0);
	write_u32(f, 262144);
	write_u16(f, 9); /* if_tsresol */
	write_u16(f, 1);
	write_u32(f, 9);
	write_u32(f, 0); /* opt_endofopt */
	write_u32(f, 32);
}

static void pcapng_record(FILE *f, uint64_t t_ns, const struct pkt *p, uint32_t caplen)
{
	uint32_t pad = (4 - caplen % 4) % 4, total = 32 + caplen + pad;
	static const uint8_t zeros[4];
	write_u32(f, 6);
	write_u32(f, total);
	write_u32(f, 0);
	write_u32(f, (uint32_t)(t_ns >> 32));
	write_u32(f, (uint32_t)t_ns);
	write_u32(f, caplen);
	write_u32(f, p->n);
	fwrite(p->b, 1, caplen, f);
	fwrite(zeros, 1, pad, f);
	write_u32(f, total);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s OUT COUNT SEED [pcap|pcap-ns|pcap-swapped|pcapng|pcap-jumbo]\n", argv[0]);
		return 2;
	}
	const char *fmt = argc > 4 ? argv[4] : "pcap";
	int ns = !strcmp(fmt, "pcap-ns"), swap = !strcmp(fmt, "pcap-swapped"), ng = !strcmp(fmt, "pcapng");
	int jumbo = !strcmp(fmt, "pcap-jumbo");
	if (!ns && !swap && !ng && !jumbo && strcmp(fmt, "pcap")) {
		fprintf(stderr, "%s: unknown format '%s'\n", argv[0], fmt);
		return 2;
	}
	FILE *f = fopen(argv[1], "wb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	static char buf[1 << 20];
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	unsigned long count = strtoul(argv[2], NULL, 0);
	state = strtoull(argv[3], NULL, 0);
	if (ng)
		pcapng_header(f);
	else
		pcap_header(f, ns, swap);
	uint64_t t = 1700000000ull * 1000000000ull + 123456789;
	struct pkt p;
	for (unsigned long i = 0; i < count; i++) {
		make_packet(&p);
		uint32_t caplen = p.n;
		if (pick(10) == 0)
			caplen = 14 + pick(p.n - 14); /* truncated: caplen < len */
		t += 1 + pick(2000000);
		if (ng)
			pcapng_record(f, t, &p, caplen);
		else if (jumbo && i % 7 == 3 && caplen == p.n)
			pcap_record(f, t, &p, caplen, 0, 0, 100000 + pick(262144 - 100000 - p.n));
		else
			pcap_record(f, t, &p, caplen, ns, swap, 0);
	}
	if (fclose(f)) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
