/* gen_capture.c — bpfrt-gen-capture: writes the demo's packet capture, a
 * fixed-seed mix of what an L4 load balancer sees (lb.h's addresses):
 * IPv4 TCP/UDP and IPv6 TCP to the virtual services from thousands of
 * clients, a few heavy hitters (over the firewall's rate), sources in the
 * block list, traffic to other hosts, ICMP, ARP, IPv4 with options, UDP
 * without a checksum, and truncated frames.  Every checksum is correct, so
 * a program's incremental updates can be checked by recomputing them.
 *
 *   bpfrt-gen-capture OUT.pcap [packets N] [seed S]     (N: 300000, S: 1)
 */
#include "hooks/pcap_io.h"
#include "lb.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLIENTS4 4000
#define CLIENTS6 1000
#define HEAVY 5

struct rng {
	uint64_t s;
};

static uint32_t rnd(struct rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return (uint32_t)(r->s >> 16);
}

static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static size_t eth(uint8_t *f, uint16_t type, struct rng *r)
{
	static const uint8_t lb_mac[6] = LB_MAC;
	memcpy(f, lb_mac, 6);
	uint8_t src[6] = {0x02, 0xc1, 0, 0, (uint8_t)rnd(r), (uint8_t)rnd(r)};
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
	return 14;
}

/* TCP (20 bytes, ACK|PSH) or UDP header + payload at l4; checksum over the
 * pseudo header given as its partial sum. */
static size_t l4(uint8_t *p, uint8_t proto, uint16_t sport, uint16_t dport, size_t payload, uint32_t pseudo,
		 bool udp_zero_csum, struct rng *r)
{
	size_t h = proto == IPPROTO_TCP ? 20 : 8;
	memset(p, 0, h);
	put16(p, sport);
	put16(p + 2, dport);
	if (proto == IPPROTO_TCP) {
		uint32_t seq = rnd(r);
		memcpy(p + 4, &seq, 4);
		p[12] = 5 << 4;
		p[13] = 0x18;
		put16(p + 14, 65535);
	} else {
		put16(p + 4, (uint16_t)(h + payload));
	}
	for (size_t i = 0; i < payload; i++)
		p[h + i] = (uint8_t)rnd(r);
	uint32_t sum = pseudo + proto + (uint32_t)(h + payload);
	uint16_t c = csum_fold(csum_add(sum, p, h + payload));
	if (proto == IPPROTO_UDP && c == 0)
		c = 0xffff;
	if (!(proto == IPPROTO_UDP && udp_zero_csum))
		put16(p + (proto == IPPROTO_TCP ? 16 : 6), c);
	return h + payload;
}

static size_t ipv4(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto, uint16_t sport, uint16_t dport,
		   size_t payload, bool options, bool udp_zero, struct rng *r)
{
	size_t off = eth(f, 0x0800, r), ihl = options ? 6 : 5;
	uint8_t *ip = f + off;
	memset(ip, 0, ihl * 4);
	ip[0] = (uint8_t)(0x40 | ihl);
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 4, (uint16_t)rnd(r));
	put16(ip + 6, 0x4000); /* DF */
	uint32_t s = htonl(src), d = htonl(dst);
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	if (options)
		ip[20] = 1, ip[21] = 1, ip[22] = 1, ip[23] = 0; /* NOPs, EOL */
	size_t l = 0;
	if (proto == IPPROTO_ICMP) {
		uint8_t *icmp = ip + ihl * 4;
		memset(icmp, 0, 8 + payload);
		icmp[0] = 8;
		put16(icmp + 4, (uint16_t)rnd(r));
		for (size_t i = 0; i < payload; i++)
			icmp[8 + i] = (uint8_t)rnd(r);
		put16(icmp + 2, csum_fold(csum_add(0, icmp, 8 + payload)));
		l = 8 + payload;
	} else {
		uint32_t pseudo = csum_add(0, ip + 12, 8);
		l = l4(ip + ihl * 4, proto, sport, dport, payload, pseudo, udp_zero, r);
	}
	put16(ip + 2, (uint16_t)(ihl * 4 + l));
	put16(ip + 10, csum_fold(csum_add(0, ip, ihl * 4)));
	return off + ihl * 4 + l;
}

static size_t ipv6(uint8_t *f, const uint8_t src[16], const uint8_t dst[16], uint8_t proto, uint16_t sport,
		   uint16_t dport, size_t payload, struct rng *r)
{
	size_t off = eth(f, 0x86dd, r);
	uint8_t *ip = f + off;
	memset(ip, 0, 40);
	ip[0] = 0x60;
	ip[6] = proto;
	ip[7] = 64;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	uint32_t pseudo = csum_add(0, ip + 8, 32);
	size_t l = l4(ip + 40, proto, sport, dport, payload, pseudo, false, r);
	put16(ip + 4, (uint16_t)l);
	return off + 40 + l;
}

static size_t arp(uint8_t *f, struct rng *r)
{
	size_t off = eth(f, 0x0806, r);
	memset(f, 0xff, 6);
	uint8_t body[28] = {0, 1, 8, 0, 6, 4, 0, 1};
	for (int i = 8; i < 28; i++)
		body[i] = (uint8_t)rnd(r);
	memcpy(f + off, body, 28);
	return off + 28;
}

static void client6(uint8_t a[16], uint32_t i)
{
	static const uint8_t base[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x0c};
	memcpy(a, base, 16);
	a[12] = (uint8_t)(i >> 24), a[13] = (uint8_t)(i >> 16), a[14] = (uint8_t)(i >> 8), a[15] = (uint8_t)i;
}

/* One packet of the mix into f; returns its length. */
static size_t one(uint8_t *f, struct rng *r)
{
	uint32_t pick = rnd(r) % 1000, c = rnd(r) % CLIENTS4;
	uint32_t src = 0xac100000u + c + 1; /* 172.16.0.0/16 */
	uint16_t sport = (uint16_t)(1024 + (c * 7 + rnd(r) % 4) % 60000);
	size_t payload = rnd(r) % 8 ? rnd(r) % 64 : rnd(r) % 1200; /* mostly small, as requests */
	static const uint8_t vip6[16] = LB_VIP6;
	uint8_t a6[16];
	if (pick < 80) /* heavy hitters */
		return ipv4(f, 0xac1f0000u + pick % HEAVY + 1, LB_VIP4, IPPROTO_TCP, (uint16_t)(2000 + pick % 8),
			    LB_VIP4_PORT_TCP, payload, false, false, r);
	if (pick < 100) { /* blocked sources */
		if (pick % 3 == 0)
			return ipv4(f, 0x0a420000u + (rnd(r) & 0xffff), LB_VIP4, IPPROTO_TCP, sport, LB_VIP4_PORT_TCP,
				    payload, false, false, r);
		if (pick % 3 == 1)
			return ipv4(f, 0xc0000200u + (rnd(r) & 0xff), LB_VIP4, IPPROTO_UDP, sport, LB_VIP4_PORT_UDP,
				    payload, false, false, r);
		static const uint8_t bad[16] = {0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9};
		return ipv6(f, bad, vip6, IPPROTO_TCP, sport, LB_VIP6_PORT_TCP, payload, r);
	}
	if (pick < 620)
		return ipv4(f, src, LB_VIP4, IPPROTO_TCP, sport, LB_VIP4_PORT_TCP, payload, false, false, r);
	if (pick < 770)
		return ipv4(f, src, LB_VIP4, IPPROTO_UDP, sport, LB_VIP4_PORT_UDP, payload % 512, false,
			    pick % 10 == 0, r);
	if (pick < 890) {
		client6(a6, c % CLIENTS6 + 1);
		return ipv6(f, a6, vip6, IPPROTO_TCP, sport, LB_VIP6_PORT_TCP, payload, r);
	}
	if (pick < 930)
		return ipv4(f, src, 0x0a000007u, IPPROTO_TCP, sport, 22, payload, false, false, r);
	if (pick < 950)
		return ipv4(f, src, LB_VIP4, IPPROTO_ICMP, 0, 0, 56, false, false, r);
	if (pick < 965)
		return arp(f, r);
	if (pick < 975) {
		client6(a6, c % CLIENTS6 + 1);
		return ipv6(f, a6, vip6, IPPROTO_UDP, sport, 5353, payload, r);
	}
	if (pick < 990)
		return ipv4(f, src, LB_VIP4, IPPROTO_TCP, sport, LB_VIP4_PORT_TCP, payload, true, false, r);
	/* Truncated: the Ethernet header and part of an IPv4 header. */
	size_t n = ipv4(f, src, LB_VIP4, IPPROTO_TCP, sport, LB_VIP4_PORT_TCP, 0, false, false, r);
	return n < 14 + 12 ? n : 14 + 12 + rnd(r) % 8;
}

int main(int argc, char **argv)
{
	uint64_t n = 300000, seed = 1;
	if (argc < 2) {
		fprintf(stderr, "usage: %s OUT.pcap [packets N] [seed S]\n", argv[0]);
		return 2;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		char *end;
		uint64_t v = strtoull(argv[i + 1], &end, 0);
		if (*end || (strcmp(argv[i], "packets") && strcmp(argv[i], "seed"))) {
			fprintf(stderr, "%s: bad argument '%s %s'\n", argv[0], argv[i], argv[i + 1]);
			return 2;
		}
		*(!strcmp(argv[i], "packets") ? &n : &seed) = v;
	}
	char err[512];
	struct bpfrt_pcap_out *o = bpfrt_pcap_out_open(argv[1], err, sizeof(err));
	if (!o) {
		fprintf(stderr, "%s: %s\n", argv[0], err);
		return 1;
	}
	struct rng r = {.s = seed * 0x9e3779b97f4a7c15ull + 1};
	uint8_t frame[2048];
	uint64_t ts = 1700000000ull * 1000000000ull;
	for (uint64_t i = 0; i < n; i++) {
		size_t len = one(frame, &r);
		bpfrt_pcap_out_write(o, frame, (uint32_t)len, ts);
		ts += 1000 + rnd(&r) % 1000;
	}
	if (bpfrt_pcap_out_close(o, err, sizeof(err))) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], err);
		return 1;
	}
	return 0;
}
