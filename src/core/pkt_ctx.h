/* pkt_ctx.h — the context XDP and skb programs really run with.
 *
 * A program sees the UAPI struct (xdp_md, __sk_buff) at offset 0; the
 * packet pointers it loads come from the 64-bit fields after it: after
 * verification, every 32-bit load of data / data_end / data_meta from the
 * context is rewritten into a 64-bit load of the matching field here (as
 * the kernel rewrites them to loads from its xdp_buff / sk_buff).  So
 * packets may live anywhere in the address space.  Helpers that move the
 * packet (bpf_xdp_adjust_head/meta/tail) update these fields and keep the
 * UAPI copies at their low 32 bits (bpfrt_xdp_ctx_sync): nothing verified
 * loads those, but a probe read of the context (CO-RE reads through
 * bpf_probe_read_kernel) sees consistent differences.
 */
#ifndef BPFRT_CORE_PKT_CTX_H
#define BPFRT_CORE_PKT_CTX_H

#include <linux/bpf.h>
#include <stddef.h>
#include <stdint.h>

struct bpfrt_pkt_ptrs {
	uint64_t data, data_end, data_meta;
};

/* Where bpf_redirect / bpf_redirect_map sent the packet, as the kernel's
 * per-CPU struct bpf_redirect_info: it belongs to the run (a runner clears
 * it before each packet) and the packet source acts on it after an
 * XDP_REDIRECT / TC_ACT_REDIRECT verdict.  No program can address it: the
 * verifier allows context accesses inside the UAPI struct only. */
struct bpfrt_redirect_info {
	uint32_t ifindex;   /* the target device: bpf_redirect's ifindex, a devmap value's ifindex */
	uint32_t tgt_index; /* bpf_redirect's ifindex or bpf_redirect_map's key */
	uint32_t map_type;  /* BPF_MAP_TYPE_UNSPEC for bpf_redirect */
	uint32_t map_id;
	uint64_t flags;     /* tc: BPF_F_INGRESS; XDP: BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS */
};

struct bpfrt_xdp_ctx {
	struct xdp_md md;
	struct bpfrt_pkt_ptrs pkt;
	struct bpfrt_redirect_info ri;
};

struct bpfrt_skb_ctx {
	struct __sk_buff skb;
	struct bpfrt_pkt_ptrs pkt;
	struct bpfrt_redirect_info ri;
};

static inline void bpfrt_xdp_ctx_sync(struct bpfrt_xdp_ctx *c)
{
	c->md.data = (uint32_t)c->pkt.data;
	c->md.data_end = (uint32_t)c->pkt.data_end;
	c->md.data_meta = (uint32_t)c->pkt.data_meta;
}

static inline void bpfrt_skb_ctx_sync(struct bpfrt_skb_ctx *c)
{
	c->skb.data = (uint32_t)c->pkt.data;
	c->skb.data_end = (uint32_t)c->pkt.data_end;
	c->skb.data_meta = (uint32_t)c->pkt.data_meta;
}

/* Offset of the packet pointers in the context of prog_type, or -1 for a
 * type without packet pointers in its context. */
static inline int32_t bpfrt_pkt_ctx_off(uint32_t prog_type)
{
	switch (prog_type) {
	case BPF_PROG_TYPE_XDP:
		return (int32_t)offsetof(struct bpfrt_xdp_ctx, pkt);
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		return (int32_t)offsetof(struct bpfrt_skb_ctx, pkt);
	default:
		return -1;
	}
}

#endif
