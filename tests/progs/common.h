/* common.h — shared includes and small packet-parsing helpers for the
 * eBPF C corpus in tests/progs (compiled with clang -target bpf).  Every
 * helper checks bounds against data_end before it reads, so the kernel's
 * verifier accepts the callers as written.
 */
#ifndef PROGS_COMMON_H
#define PROGS_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct bpf_map;

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* <linux/icmp.h> drags in libc's socket headers; the two fields used here. */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

/* A cursor over packet memory: pos advances only after a bounds check. */
struct cursor {
	void *pos;
	void *end;
};

static __always_inline void *cursor_take(struct cursor *c, __u32 len)
{
	void *p = c->pos;
	if (p + len > c->end)
		return 0;
	c->pos = p + len;
	return p;
}

/* One's-complement fold of a 32-bit partial sum to 16 bits. */
static __always_inline __u16 csum_fold32(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

char LICENSE[] SEC("license") = "GPL";

#endif
