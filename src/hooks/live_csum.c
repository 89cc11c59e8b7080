/* live_csum.c — the L4 checksum of frames sent with checksum offload (see
 * live_csum.h): RFC 1071's one's complement sum over the pseudo-header
 * (RFC 793 for IPv4, RFC 8200 section 8.1 for IPv6) and the segment, with
 * the checksum field counted as zero.
 */
#include "hooks/live_csum.h"

#include <stddef.h>
#include <string.h>

#define ETH_HLEN 14
#define PROTO_TCP 6
#define PROTO_UDP 17

static uint32_t sum16(const uint8_t *p, uint32_t n, uint32_t sum)
{
	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The L4 header at l4 (l4_len bytes to the end of the IP payload). */
static int finish(uint8_t *l4, uint32_t l4_len, uint8_t proto, uint32_t pseudo)
{
	uint32_t off = proto == PROTO_TCP ? 16 : 6;
	if (l4_len < (proto == PROTO_TCP ? 20u : 8u))
		return -1;
	l4[off] = l4[off + 1] = 0;
	uint16_t c = fold(sum16(l4, l4_len, pseudo + l4_len + proto));
	if (proto == PROTO_UDP && !c)
		c = 0xffff; /* 0 means "no checksum" in UDP */
	l4[off] = (uint8_t)(c >> 8);
	l4[off + 1] = (uint8_t)c;
	return 0;
}

int bpfrt_live_csum_complete(uint8_t *f, uint32_t len)
{
	if (len < ETH_HLEN)
		return -1;
	uint32_t off = 12;
	uint16_t type = (uint16_t)(f[off] << 8 | f[off + 1]);
	if (type == 0x8100 || type == 0x88a8) { /* one VLAN tag */
		if (len < ETH_HLEN + 4)
			return -1;
		off += 4;
		type = (uint16_t)(f[off] << 8 | f[off + 1]);
	}
	uint8_t *ip = f + off + 2;
	uint32_t room = len - (off + 2);
	if (type == 0x0800) {
		if (room < 20 || (ip[0] >> 4) != 4)
			return -1;
		uint32_t ihl = (ip[0] & 15u) * 4, tot = (uint32_t)ip[2] << 8 | ip[3];
		if (ihl < 20 || tot < ihl || tot > room || (((uint32_t)ip[6] << 8 | ip[7]) & 0x3fff))
			return -1; /* short, or a fragment: no whole segment to sum */
		if (ip[9] != PROTO_TCP && ip[9] != PROTO_UDP)
			return -1;
		return finish(ip + ihl, tot - ihl, ip[9], sum16(ip + 12, 8, 0));
	}
	if (type == 0x86dd) {
		if (room < 40 || (ip[0] >> 4) != 6)
			return -1;
		uint32_t plen = (uint32_t)ip[4] << 8 | ip[5];
		if (plen > room - 40 || (ip[6] != PROTO_TCP && ip[6] != PROTO_UDP))
			return -1;
		return finish(ip + 40, plen, ip[6], sum16(ip + 8, 32, 0));
	}
	return -1;
}
