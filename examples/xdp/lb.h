/* lb.h — what the XDP load balancer and firewall (lb.bpf.c) share with
 * the user-space side (lb_setup.h, the capture generator, the tests): map
 * key and value layouts, sizes, the demo's addresses.  Plain C types only:
 * it is compiled both by clang -target bpf and by the host compiler.
 *
 * Addresses are kept as 16 bytes everywhere (IPv4 as ::ffff:a.b.c.d), so
 * one LPM trie and one LRU hash cover both families.
 */
#ifndef BPFRT_EXAMPLES_LB_H
#define BPFRT_EXAMPLES_LB_H

/* Maglev lookup table: a prime well above 100 x the backends. */
#define LB_TABLE_SIZE 4099
#define LB_MAX_BACKENDS 16
#define LB_MAX_VIPS 64
#define FW_MAX_SOURCES 65536 /* LRU: larger than the demo capture's sources, so no eviction */
#define FW_BLOCK_PREFIXES 1024

struct vip_key {
	unsigned char addr[16];
	unsigned short port; /* network order */
	unsigned char proto; /* IPPROTO_TCP / IPPROTO_UDP */
	unsigned char pad;
};

struct vip_val {
	unsigned int service; /* which Maglev table: lb_table slot service * LB_TABLE_SIZE + i */
};

struct backend {
	unsigned char addr[16]; /* IPv4 as ::ffff:a.b.c.d */
	unsigned char mac[6];
	unsigned char pad[2];
};

struct backend_stats {
	unsigned long long packets, bytes;
};

struct fw_lpm_key {
	unsigned int prefixlen; /* IPv4 prefix /n is 96 + n */
	unsigned char addr[16];
};

struct fw_source {
	unsigned long long packets, bytes;
	unsigned long long window_start; /* ns; 0 when fw_config.window_ns is 0 */
};

struct fw_config {
	unsigned long long window_ns;     /* 0: counts never reset (deterministic runs) */
	unsigned long long max_packets;   /* per source per window; 0: no limit */
	unsigned long long max_bytes;     /* per source per window; 0: no limit */
};

/* Firewall counters (fw_stats, an ARRAY): why packets ended where they did. */
enum fw_counter {
	FW_PASSED,     /* went on to the load balancer */
	FW_BLOCKED,    /* source in the block list */
	FW_RATE,       /* source over its rate */
	FW_NON_IP,     /* not IPv4/IPv6: passed to the stack */
	FW_MALFORMED,  /* truncated headers: dropped */
	FW_COUNTERS
};

/* Load balancer counters (lb_stats, an ARRAY). */
enum lb_counter {
	LB_FORWARDED,  /* rewritten and sent back out (XDP_TX) */
	LB_NOT_VIP,    /* not for a virtual service: XDP_PASS */
	LB_NO_BACKEND, /* table slot empty or backend gone: XDP_DROP */
	LB_COUNTERS
};

/* The demo's addresses: the balancer's own MAC, the virtual services and
 * their backends (lb_setup.h fills the maps from these). */
#define LB_MAC {0x02, 0x00, 0x00, 0x00, 0x0b, 0x01}
#define LB_VIP4 0x0a000064u /* 10.0.0.100 */
#define LB_VIP4_PORT_TCP 80
#define LB_VIP4_PORT_UDP 53
#define LB_VIP6 {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00} /* 2001:db8::100 */
#define LB_VIP6_PORT_TCP 443
#define LB_BACKENDS 8 /* 10.1.0.1.. / 2001:db8:1::1.. */
/* Block list: 10.66.0.0/16, 192.0.2.0/24, 2001:db8:bad::/48. */

#endif
