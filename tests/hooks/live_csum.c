/* live_csum.c — src/hooks/live_csum.c, the checksum bpfrt finishes for
 * frames sent with checksum offload.  A checksum is right when the one's
 * complement sum over pseudo-header and segment, checksum included, is
 * 0xffff (RFC 1071's verification, independent of how it was computed);
 * frames bpfrt must not touch stay byte-identical.  Fixed seed.
 */
#include "hooks/live_csum.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			failures++;                                        \
		}                                                          \
	} while (0)

static uint32_t sum(const uint8_t *p, uint32_t n, uint32_t s)
{
	for (uint32_t i = 0; i < n; i++)
		s += i & 1 ? p[i] : (uint32_t)p[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s;
}

/* Verify: pseudo-header + segment sums to 0xffff. */
static int valid(const uint8_t *ip, int v6, uint8_t proto, const uint8_t *l4, uint32_t l4_len)
{
	uint32_t s = v6 ? sum(ip + 8, 32, 0) : sum(ip + 12, 8, 0);
	s += proto + (l4_len >> 16) + (l4_len & 0xffff);
	return sum(l4, l4_len, s) == 0xffff;
}

static uint32_t seed = 12345;
static uint8_t rnd(void)
{
	seed = seed * 1103515245 + 12345;
	return (uint8_t)(seed >> 16);
}

/* A frame: Ethernet (optionally tagged), IPv4/IPv6, TCP/UDP with payload
 * bytes; the L4 checksum field holds junk (a partial sum, as offload
 * leaves it).  Returns the frame length; l3 and l4 are set to point into f. */
static uint32_t build(uint8_t *f, int vlan, int v6, uint8_t proto, uint32_t payload, uint8_t **l3, uint8_t **l4)
{
	uint32_t off = 12;
	memset(f, 0, 2048);
	if (vlan) {
		f[12] = 0x81, f[13] = 0x00, f[14] = 0, f[15] = 5;
		off = 16;
	}
	f[off] = v6 ? 0x86 : 0x08;
	f[off + 1] = v6 ? 0xdd : 0x00;
	uint8_t *ip = f + off + 2;
	uint32_t l4_len = (proto == 6 ? 20 : 8) + payload;
	uint8_t *t;
	if (v6) {
		ip[0] = 0x60;
		ip[4] = (uint8_t)(l4_len >> 8), ip[5] = (uint8_t)l4_len;
		ip[6] = proto, ip[7] = 64;
		for (int i = 8; i < 40; i++)
			ip[i] = rnd();
		t = ip + 40;
	} else {
		uint32_t tot = 20 + l4_len;
		ip[0] = 0x45, ip[2] = (uint8_t)(tot >> 8), ip[3] = (uint8_t)tot, ip[6] = 0x40, ip[8] = 64, ip[9] = proto;
		for (int i = 12; i < 20; i++)
			ip[i] = rnd();
		t = ip + 20;
	}
	for (uint32_t i = 0; i < l4_len; i++)
		t[i] = rnd();
	if (proto == 6)
		t[12] = 0x50; /* data offset 5 */
	else
		t[4] = (uint8_t)(l4_len >> 8), t[5] = (uint8_t)l4_len;
	*l3 = ip;
	*l4 = t;
	return (uint32_t)(t - f) + l4_len;
}

int main(void)
{
	static uint8_t f[2048], copy[2048];
	uint8_t *l3, *l4;
	/* Every shape, payloads of odd and even length. */
	for (int vlan = 0; vlan < 2; vlan++)
		for (int v6 = 0; v6 < 2; v6++)
			for (int tcp = 0; tcp < 2; tcp++)
				for (uint32_t payload = 0; payload < 40; payload += 7) {
					uint8_t proto = tcp ? 6 : 17;
					uint32_t len = build(f, vlan, v6, proto, payload, &l3, &l4);
					uint32_t l4_len = len - (uint32_t)(l4 - f);
					CHECK(bpfrt_live_csum_complete(f, len) == 0, "vlan %d v6 %d proto %u payload %u: refused",
					      vlan, v6, proto, payload);
					CHECK(valid(l3, v6, proto, l4, l4_len), "vlan %d v6 %d proto %u payload %u: wrong sum",
					      vlan, v6, proto, payload);
				}
	/* Ethernet padding after the IP packet is not summed. */
	uint32_t len = build(f, 0, 0, 17, 3, &l3, &l4);
	memset(f + len, 0xee, 20);
	CHECK(bpfrt_live_csum_complete(f, len + 20) == 0 && valid(l3, 0, 17, l4, len - 34), "padding summed");

	/* Frames left alone, byte for byte. */
	len = build(f, 0, 0, 1, 20, &l3, &l4); /* ICMP */
	memcpy(copy, f, len);
	CHECK(bpfrt_live_csum_complete(f, len) == -1 && !memcmp(f, copy, len), "ICMP touched");
	len = build(f, 0, 0, 17, 20, &l3, &l4);
	l3[6] = 0x20; /* more fragments */
	memcpy(copy, f, len);
	CHECK(bpfrt_live_csum_complete(f, len) == -1 && !memcmp(f, copy, len), "fragment touched");
	len = build(f, 0, 0, 6, 20, &l3, &l4);
	memcpy(copy, f, len);
	CHECK(bpfrt_live_csum_complete(f, len - 1) == -1 && !memcmp(f, copy, len), "IPv4 cut short touched");
	len = build(f, 0, 1, 17, 20, &l3, &l4);
	memcpy(copy, f, len);
	CHECK(bpfrt_live_csum_complete(f, len - 1) == -1 && !memcmp(f, copy, len), "IPv6 cut short touched");
	len = build(f, 0, 0, 6, 0, &l3, &l4);
	l3[3] = 30; /* total length leaves 10 bytes: less than a TCP header */
	memcpy(copy, f, len);
	CHECK(bpfrt_live_csum_complete(f, len) == -1 && !memcmp(f, copy, len), "short TCP header touched");
	f[12] = 0x08, f[13] = 0x06; /* ARP */
	CHECK(bpfrt_live_csum_complete(f, 60) == -1, "ARP");
	CHECK(bpfrt_live_csum_complete(f, 10) == -1, "runt");
	for (uint32_t n = 0; n < 60; n++) { /* every truncation of a tagged IPv6 TCP frame */
		len = build(f, 1, 1, 6, 0, &l3, &l4);
		CHECK(bpfrt_live_csum_complete(f, n) == -1, "tagged IPv6 TCP cut to %u bytes", n);
	}
	if (failures) {
		fprintf(stderr, "live_csum: %d failures\n", failures);
		return 1;
	}
	printf("live_csum: ok\n");
	return 0;
}
