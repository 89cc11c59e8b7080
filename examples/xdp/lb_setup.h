/* lb_setup.h — the user-space half of lb.bpf.c's configuration: the
 * virtual services, their backends, the Maglev lookup tables, the block
 * list and the firewall's limits, written through a caller's map-update
 * function.  Header-only so the demo's setup tool (bpfrt maps) and the
 * kernel differential test (kernel maps and bpfrt maps) fill the same
 * contents.
 *
 * Maglev (Eisenbud et al., NSDI 2016): each backend walks the table in
 * its own permutation (offset + j * skip mod M, M prime) and the backends
 * take turns claiming the next free slot of their walk, so each gets
 * M / N slots and removing one moves only its own flows.
 */
#ifndef BPFRT_EXAMPLES_LB_SETUP_H
#define BPFRT_EXAMPLES_LB_SETUP_H

#include "lb.h"

#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Write key -> value into the map called map_name; 0 or negative errno. */
typedef int (*lb_update_fn)(void *ctx, const char *map_name, const void *key, const void *value);

static inline uint32_t lb_setup_hash(uint32_t x, uint32_t seed)
{
	x ^= seed;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	return x ^ (x >> 16);
}

/* Fill table[M] with backend ids ids[0..n-1] (n >= 1). */
static inline void lb_maglev_fill(uint32_t *table, const uint32_t *ids, uint32_t n)
{
	const uint32_t m = LB_TABLE_SIZE;
	uint32_t next[LB_MAX_BACKENDS] = {0}, filled = 0;
	for (uint32_t i = 0; i < m; i++)
		table[i] = ~0u;
	while (filled < m) {
		for (uint32_t b = 0; b < n && filled < m; b++) {
			uint32_t offset = lb_setup_hash(ids[b], 0x1234567u) % m;
			uint32_t skip = lb_setup_hash(ids[b], 0x89abcdefu) % (m - 1) + 1;
			uint32_t slot;
			do
				slot = (uint32_t)((offset + (uint64_t)next[b]++ * skip) % m);
			while (table[slot] != ~0u);
			table[slot] = ids[b];
			filled++;
		}
	}
}

static inline void lb_addr4(unsigned char a[16], uint32_t host_order)
{
	memset(a, 0, 10);
	a[10] = a[11] = 0xff;
	uint32_t be = htonl(host_order);
	memcpy(a + 12, &be, 4);
}

/* The demo's configuration: service 0 = 10.0.0.100 TCP 80 and UDP 53 on
 * backends 0..7 (10.1.0.1-8), service 1 = [2001:db8::100] TCP 443 on
 * backends 8..15 (2001:db8:1::1-8); block list 10.66.0.0/16, 192.0.2.0/24,
 * 2001:db8:bad::/48; at most max_packets packets per source (0: no limit).
 * Returns 0 or the first failing update's negative errno. */
static inline int lb_setup(lb_update_fn update, void *ctx, uint64_t max_packets)
{
	int err = 0;
	static const unsigned char vip6[16] = LB_VIP6;
	struct vip_key k;
	struct vip_val v = {.service = 0};
	memset(&k, 0, sizeof(k));
	lb_addr4(k.addr, LB_VIP4);
	k.port = htons(LB_VIP4_PORT_TCP);
	k.proto = IPPROTO_TCP;
	err = err ? err : update(ctx, "vips", &k, &v);
	k.port = htons(LB_VIP4_PORT_UDP);
	k.proto = IPPROTO_UDP;
	err = err ? err : update(ctx, "vips", &k, &v);
	memcpy(k.addr, vip6, 16);
	k.port = htons(LB_VIP6_PORT_TCP);
	k.proto = IPPROTO_TCP;
	v.service = 1;
	err = err ? err : update(ctx, "vips", &k, &v);

	uint32_t ids[2][LB_BACKENDS];
	for (uint32_t i = 0; i < 2 * LB_BACKENDS && !err; i++) {
		struct backend b;
		memset(&b, 0, sizeof(b));
		if (i < LB_BACKENDS) {
			lb_addr4(b.addr, 0x0a010001u + i); /* 10.1.0.1 + i */
		} else {
			static const unsigned char base[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1};
			memcpy(b.addr, base, 16);
			b.addr[15] = (unsigned char)(i - LB_BACKENDS + 1);
		}
		unsigned char mac[6] = {0x02, 0x00, 0x00, 0x00, 0xbe, (unsigned char)i};
		memcpy(b.mac, mac, 6);
		ids[i / LB_BACKENDS][i % LB_BACKENDS] = i;
		err = update(ctx, "backends", &i, &b);
	}
	uint32_t *table = malloc(LB_TABLE_SIZE * sizeof(*table));
	if (!table)
		return err ? err : -12; /* ENOMEM */
	for (uint32_t s = 0; s < 2 && !err; s++) {
		lb_maglev_fill(table, ids[s], LB_BACKENDS);
		for (uint32_t i = 0; i < LB_TABLE_SIZE && !err; i++) {
			uint32_t slot = s * LB_TABLE_SIZE + i;
			err = update(ctx, "lb_table", &slot, &table[i]);
		}
	}
	free(table);

	static const struct {
		uint32_t prefixlen;
		unsigned char addr[16];
	} blocked[] = {
		{96 + 16, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 66}},
		{96 + 24, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2}},
		{48, {0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad}},
	};
	for (size_t i = 0; i < sizeof(blocked) / sizeof(blocked[0]) && !err; i++) {
		struct fw_lpm_key lk;
		uint32_t one = 1;
		lk.prefixlen = blocked[i].prefixlen;
		memcpy(lk.addr, blocked[i].addr, 16);
		err = update(ctx, "blocklist", &lk, &one);
	}
	struct fw_config cfg = {.window_ns = 0, .max_packets = max_packets, .max_bytes = 0};
	uint32_t zero = 0;
	return err ? err : update(ctx, "fw_config", &zero, &cfg);
}

#endif
