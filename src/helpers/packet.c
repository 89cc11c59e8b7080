/* packet.c — helpers on the packet of XDP and skb programs:
 * bpf_xdp_adjust_head, bpf_xdp_adjust_meta, bpf_xdp_adjust_tail,
 * bpf_skb_load_bytes, bpf_skb_store_bytes, bpf_l3_csum_replace,
 * bpf_l4_csum_replace, bpf_redirect, bpf_redirect_map.
 *
 * The run's packet region says where the packet's buffer is: for XDP the
 * whole frame (headroom, data, tailroom; test_run.c and the hooks lay it
 * out as the kernel does: 4096 bytes, the skb_shared_info tailroom at the
 * end), for skb programs the data from skb->data on.  ctx is the run's
 * struct bpfrt_xdp_ctx / bpfrt_skb_ctx (core/pkt_ctx.h), whose packet
 * pointers these helpers read and move.
 */
#include "core/pkt_ctx.h"
#include "core/prog.h"

#include <errno.h>
#include <string.h>

#define ETH_HLEN 14
#define XDP_FRAME_SIZE 40   /* sizeof(struct xdp_frame), kept at the buffer's start */
#define XDP_TAILROOM 320    /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) */
#define XDP_META_MAX 255    /* type_max(skb_shared_info.meta_len); 4-byte multiples only */

static uint32_t prog_type(const struct bpfrt_run *run)
{
	const struct bpfrt_prog *p = run->prog ? run->prog->owner : NULL;
	return p ? p->type : 0;
}

/* The packet pointers of this run's XDP context, or NULL when ctx isn't
 * the run's ctx. */
static struct bpfrt_pkt_ptrs *xdp_ctx(struct bpfrt_run *run, uint64_t ctx)
{
	if (prog_type(run) != BPF_PROG_TYPE_XDP || ctx != (uintptr_t)run->opts->ctx ||
	    run->opts->ctx_size < sizeof(struct bpfrt_xdp_ctx) || !run->opts->packet)
		return NULL;
	return &((struct bpfrt_xdp_ctx *)(uintptr_t)ctx)->pkt;
}

/* After moving the packet: the UAPI copies follow (core/pkt_ctx.h). */
static uint64_t xdp_moved(struct bpfrt_pkt_ptrs *pkt)
{
	bpfrt_xdp_ctx_sync((struct bpfrt_xdp_ctx *)((char *)pkt - offsetof(struct bpfrt_xdp_ctx, pkt)));
	return 0;
}

/* The metadata area is [data_meta, data): it moves with the data (the
 * kernel's bpf_xdp_adjust_head memmoves it) and may not reach into the
 * xdp_frame kept at the buffer's start. */
static uint64_t h_xdp_adjust_head(uint64_t ctx, uint64_t delta, uint64_t r3, uint64_t r4, uint64_t r5,
				  struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	struct bpfrt_pkt_ptrs *md = xdp_ctx(run, ctx);
	if (!md)
		return (uint64_t)-EINVAL;
	uintptr_t hard = (uintptr_t)run->opts->packet;
	int64_t d = (int32_t)delta;
	uint64_t metalen = md->data - md->data_meta;
	int64_t data = (int64_t)md->data + d;
	if (data < (int64_t)(hard + XDP_FRAME_SIZE + metalen) || data > (int64_t)md->data_end - ETH_HLEN)
		return (uint64_t)-EINVAL;
	if (metalen)
		memmove((void *)(uintptr_t)(md->data_meta + d), (void *)(uintptr_t)md->data_meta, metalen);
	md->data_meta = (uint64_t)((int64_t)md->data_meta + d);
	md->data = (uint64_t)data;
	return xdp_moved(md);
}

/* bpf_xdp_adjust_meta: data_meta moves by delta, staying between the end of
 * the xdp_frame and data (-EINVAL); the area must stay a multiple of 4
 * bytes and at most 255 (-EACCES), as the kernel's xdp_metalen_invalid. */
static uint64_t h_xdp_adjust_meta(uint64_t ctx, uint64_t delta, uint64_t r3, uint64_t r4, uint64_t r5,
				  struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	struct bpfrt_pkt_ptrs *md = xdp_ctx(run, ctx);
	if (!md)
		return (uint64_t)-EINVAL;
	uintptr_t hard = (uintptr_t)run->opts->packet;
	int64_t meta = (int64_t)md->data_meta + (int32_t)delta;
	if (meta < (int64_t)(hard + XDP_FRAME_SIZE) || meta > (int64_t)md->data)
		return (uint64_t)-EINVAL;
	uint64_t metalen = (uint64_t)((int64_t)md->data - meta);
	if ((metalen & 3) || metalen > XDP_META_MAX)
		return (uint64_t)-EACCES;
	md->data_meta = (uint64_t)meta;
	return xdp_moved(md);
}

static uint64_t h_xdp_adjust_tail(uint64_t ctx, uint64_t delta, uint64_t r3, uint64_t r4, uint64_t r5,
				  struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	struct bpfrt_pkt_ptrs *md = xdp_ctx(run, ctx);
	if (!md)
		return (uint64_t)-EINVAL;
	uintptr_t hard_end = (uintptr_t)run->opts->packet + run->opts->packet_size - XDP_TAILROOM;
	int64_t d = (int32_t)delta;
	int64_t end = (int64_t)md->data_end + d;
	if (end > (int64_t)hard_end || end < (int64_t)md->data + ETH_HLEN)
		return (uint64_t)-EINVAL;
	if (d > 0) /* as the kernel: grown bytes never show old contents */
		memset((void *)(uintptr_t)md->data_end, 0, (size_t)d);
	md->data_end = (uint64_t)end;
	return xdp_moved(md);
}

static bool is_skb_type(uint32_t t)
{
	return t == BPF_PROG_TYPE_SOCKET_FILTER || t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT;
}

static uint64_t h_skb_load_bytes(uint64_t ctx, uint64_t off, uint64_t to, uint64_t len, uint64_t r5,
				 struct bpfrt_run *run)
{
	(void)r5;
	const struct bpfrt_run_opts *o = run->opts;
	if (!is_skb_type(prog_type(run)) || ctx != (uintptr_t)o->ctx || !o->packet)
		return (uint64_t)-EINVAL;
	if (!len || len > 0xffff || !bpfrt_run_access_ok(run, (void *)(uintptr_t)to, len, true))
		return (uint64_t)-EINVAL;
	/* off counts from skb->data (which the program may not have moved). */
	if (o->ctx_size < sizeof(struct bpfrt_skb_ctx))
		return (uint64_t)-EINVAL;
	const struct bpfrt_skb_ctx *skb = o->ctx;
	uintptr_t data = skb->pkt.data, end = skb->pkt.data_end;
	if ((uint32_t)off > 0xffff || data + (uint32_t)off + len > end) {
		memset((void *)(uintptr_t)to, 0, len);
		return (uint64_t)-EFAULT;
	}
	memcpy((void *)(uintptr_t)to, (const void *)(data + (uint32_t)off), len);
	return 0;
}

/* The skb of a run of a tc program (the packet from skb->data on), or NULL. */
static struct bpfrt_skb_ctx *tc_skb(struct bpfrt_run *run, uint64_t ctx)
{
	const struct bpfrt_run_opts *o = run->opts;
	if (!is_skb_type(prog_type(run)) || ctx != (uintptr_t)o->ctx || o->ctx_size < sizeof(struct bpfrt_skb_ctx))
		return NULL;
	return (struct bpfrt_skb_ctx *)o->ctx;
}

/* bpf_try_make_writable: the first n bytes from skb->data must exist. */
static uint8_t *skb_writable(struct bpfrt_skb_ctx *c, uint64_t n)
{
	return n <= c->pkt.data_end - c->pkt.data ? (uint8_t *)(uintptr_t)c->pkt.data : NULL;
}

/* bpf_skb_store_bytes: flags BPF_F_RECOMPUTE_CSUM (skb->csum, which a
 * bpfrt skb never carries: CHECKSUM_NONE) and BPF_F_INVALIDATE_HASH. */
static uint64_t h_skb_store_bytes(uint64_t ctx, uint64_t off, uint64_t from, uint64_t len, uint64_t flags,
				  struct bpfrt_run *run)
{
	struct bpfrt_skb_ctx *c = tc_skb(run, ctx);
	if (!c || (flags & ~(uint64_t)(BPF_F_RECOMPUTE_CSUM | BPF_F_INVALIDATE_HASH)))
		return (uint64_t)-EINVAL;
	if ((uint32_t)off > INT32_MAX)
		return (uint64_t)-EFAULT;
	uint8_t *data = skb_writable(c, (uint64_t)(uint32_t)off + len);
	if (!data || !bpfrt_run_access_ok(run, (void *)(uintptr_t)from, len, false))
		return (uint64_t)-EFAULT;
	memmove(data + (uint32_t)off, (const void *)(uintptr_t)from, len);
	if (flags & BPF_F_INVALIDATE_HASH)
		c->skb.hash = 0;
	return 0;
}

/* One's complement arithmetic as the kernel's csum_add/csum_fold (on the
 * raw, network-order values: the sum does not care about byte order). */
static uint32_t csum32_add(uint32_t a, uint32_t b)
{
	uint32_t r = a + b;
	return r + (r < b);
}

static uint16_t csum32_fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* csum_replace4 / csum_replace_by_diff on the 16-bit field at p. */
static void csum_replace4(uint8_t *p, uint32_t from, uint32_t to)
{
	uint16_t sum;
	memcpy(&sum, p, 2);
	sum = csum32_fold(csum32_add(csum32_add(~(uint32_t)sum, ~from), to));
	memcpy(p, &sum, 2);
}

static void csum_replace_diff(uint8_t *p, uint32_t diff)
{
	uint16_t sum;
	memcpy(&sum, p, 2);
	sum = csum32_fold(csum32_add(diff, ~(uint32_t)sum));
	memcpy(p, &sum, 2);
}

/* csum_replace2: the same update in 16-bit arithmetic (csum16_add). */
static uint16_t csum16_add(uint16_t a, uint16_t b)
{
	uint16_t r = (uint16_t)(a + b);
	return (uint16_t)(r + (r < b));
}

static void csum_replace2(uint8_t *p, uint16_t from, uint16_t to)
{
	uint16_t sum;
	memcpy(&sum, p, 2);
	sum = (uint16_t)~csum16_add(csum16_add((uint16_t)~sum, (uint16_t)~from), to);
	memcpy(p, &sum, 2);
}

/* The checksum field at skb->data + off for l3/l4_csum_replace: even,
 * at most 0xffff, inside the packet; NULL and *err otherwise. */
static uint8_t *csum_field(struct bpfrt_skb_ctx *c, uint64_t off, int *err)
{
	uint32_t o = (uint32_t)off;
	uint8_t *data = o > 0xffff || (o & 1) ? NULL : skb_writable(c, (uint64_t)o + 2);
	*err = -EFAULT;
	return data ? data + o : NULL;
}

static uint64_t h_l3_csum_replace(uint64_t ctx, uint64_t off, uint64_t from, uint64_t to, uint64_t flags,
				  struct bpfrt_run *run)
{
	struct bpfrt_skb_ctx *c = tc_skb(run, ctx);
	int err;
	if (!c || (flags & ~(uint64_t)BPF_F_HDR_FIELD_MASK))
		return (uint64_t)-EINVAL;
	uint8_t *p = csum_field(c, off, &err);
	if (!p)
		return (uint64_t)(int64_t)err;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return (uint64_t)-EINVAL;
		csum_replace_diff(p, (uint32_t)to);
		return 0;
	case 2:
		csum_replace2(p, (uint16_t)from, (uint16_t)to);
		return 0;
	case 4:
		csum_replace4(p, (uint32_t)from, (uint32_t)to);
		return 0;
	default:
		return (uint64_t)-EINVAL;
	}
}

/* On a CHECKSUM_NONE skb (every bpfrt skb) the pseudo-header flag changes
 * nothing, as the kernel's inet_proto_csum_replace*; BPF_F_MARK_MANGLED_0
 * leaves a zero (UDP: no checksum) alone and never writes zero. */
static uint64_t h_l4_csum_replace(uint64_t ctx, uint64_t off, uint64_t from, uint64_t to, uint64_t flags,
				  struct bpfrt_run *run)
{
	struct bpfrt_skb_ctx *c = tc_skb(run, ctx);
	const uint64_t known = BPF_F_MARK_MANGLED_0 | BPF_F_MARK_ENFORCE | BPF_F_PSEUDO_HDR | BPF_F_HDR_FIELD_MASK |
			       BPF_F_IPV6;
	int err;
	if (!c || (flags & ~known))
		return (uint64_t)-EINVAL;
	uint8_t *p = csum_field(c, off, &err);
	if (!p)
		return (uint64_t)(int64_t)err;
	bool mmzero = flags & BPF_F_MARK_MANGLED_0, force = flags & BPF_F_MARK_ENFORCE;
	if (mmzero && !force && !p[0] && !p[1])
		return 0;
	switch (flags & BPF_F_HDR_FIELD_MASK) {
	case 0:
		if (from)
			return (uint64_t)-EINVAL;
		csum_replace_diff(p, (uint32_t)to);
		break;
	case 2: /* inet_proto_csum_replace2 widens to the 4-byte update */
		csum_replace4(p, (uint16_t)from, (uint16_t)to);
		break;
	case 4:
		csum_replace4(p, (uint32_t)from, (uint32_t)to);
		break;
	default:
		return (uint64_t)-EINVAL;
	}
	if (mmzero && !p[0] && !p[1])
		p[0] = p[1] = 0xff; /* CSUM_MANGLED_0 */
	return 0;
}

/* The run's redirect info (core/pkt_ctx.h), or NULL when the run has no
 * packet context of its type. */
static struct bpfrt_redirect_info *redirect_info(struct bpfrt_run *run, bool *xdp)
{
	const struct bpfrt_run_opts *o = run->opts;
	uint32_t t = prog_type(run);
	*xdp = t == BPF_PROG_TYPE_XDP;
	if (*xdp && o->ctx && o->ctx_size >= sizeof(struct bpfrt_xdp_ctx))
		return &((struct bpfrt_xdp_ctx *)o->ctx)->ri;
	if (is_skb_type(t) && o->ctx && o->ctx_size >= sizeof(struct bpfrt_skb_ctx))
		return &((struct bpfrt_skb_ctx *)o->ctx)->ri;
	return NULL;
}

/* bpf_redirect(ifindex, flags): for XDP (the kernel's bpf_xdp_redirect)
 * any flag gives XDP_ABORTED, else the target is recorded with no map and
 * XDP_REDIRECT returned; for tc, flags other than BPF_F_INGRESS give
 * TC_ACT_SHOT, else TC_ACT_REDIRECT.  The packet source acts on the
 * recorded target after the program returns, as xdp_do_redirect /
 * skb_do_redirect do. */
static uint64_t h_redirect(uint64_t ifindex, uint64_t flags, uint64_t r3, uint64_t r4, uint64_t r5,
			   struct bpfrt_run *run)
{
	(void)r3, (void)r4, (void)r5;
	bool xdp;
	struct bpfrt_redirect_info *ri = redirect_info(run, &xdp);
	if (xdp ? flags != 0 : (flags & ~(uint64_t)BPF_F_INGRESS) != 0)
		return xdp ? XDP_ABORTED : 2 /* TC_ACT_SHOT */;
	if (ri)
		*ri = (struct bpfrt_redirect_info){.ifindex = (uint32_t)ifindex, .tgt_index = (uint32_t)ifindex,
						   .map_type = BPF_MAP_TYPE_UNSPEC, .flags = flags};
	return xdp ? XDP_REDIRECT : 7 /* TC_ACT_REDIRECT */;
}

/* bpf_redirect_map(map, key, flags), XDP only (the kernel's
 * __bpf_xdp_redirect_map): the low two bits of flags are the verdict when
 * the key has no device, BPF_F_BROADCAST / BPF_F_EXCLUDE_INGRESS are
 * DEVMAP's only other flags (XDP_ABORTED for anything else); a hit records
 * map, key and the device's ifindex and gives XDP_REDIRECT; a broadcast
 * always redirects, to the whole map. */
static uint64_t h_redirect_map(uint64_t r1, uint64_t key, uint64_t flags, uint64_t r4, uint64_t r5,
			       struct bpfrt_run *run)
{
	(void)r4, (void)r5;
	const uint64_t actions = XDP_ABORTED | XDP_DROP | XDP_PASS | XDP_TX;
	struct bpfrt_map *map = (struct bpfrt_map *)(uintptr_t)r1;
	const struct bpfrt_prog *p = run->prog ? run->prog->owner : NULL;
	bool xdp;
	struct bpfrt_redirect_info *ri = redirect_info(run, &xdp);
	if (!p || !bpfrt_prog_uses_map(p, map))
		return XDP_ABORTED;
	bool dev = map->type == BPF_MAP_TYPE_DEVMAP || map->type == BPF_MAP_TYPE_DEVMAP_HASH;
	uint64_t allowed = actions | (dev ? (uint64_t)(BPF_F_BROADCAST | BPF_F_EXCLUDE_INGRESS) : 0);
	if (flags & ~allowed)
		return XDP_ABORTED;
	uint32_t k = (uint32_t)key;
	const uint32_t *val = dev ? map->ops->lookup(map, &k) : NULL;
	bool broadcast = flags & BPF_F_BROADCAST;
	if (!val && !broadcast)
		return flags & actions;
	if (ri)
		*ri = (struct bpfrt_redirect_info){.ifindex = val && !broadcast ? *val : 0, .tgt_index = k,
						   .map_type = map->type, .map_id = map->obj.id,
						   .flags = broadcast ? flags : 0};
	return XDP_REDIRECT;
}

void bpfrt_helpers_register_packet(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_redirect_map, "redirect_map", h_redirect_map);
	bpfrt_register_helper(rt, BPF_FUNC_redirect, "redirect", h_redirect);
	bpfrt_register_helper(rt, BPF_FUNC_skb_store_bytes, "skb_store_bytes", h_skb_store_bytes);
	bpfrt_register_helper(rt, BPF_FUNC_l3_csum_replace, "l3_csum_replace", h_l3_csum_replace);
	bpfrt_register_helper(rt, BPF_FUNC_l4_csum_replace, "l4_csum_replace", h_l4_csum_replace);
	bpfrt_register_helper(rt, BPF_FUNC_xdp_adjust_head, "xdp_adjust_head", h_xdp_adjust_head);
	bpfrt_register_helper(rt, BPF_FUNC_xdp_adjust_meta, "xdp_adjust_meta", h_xdp_adjust_meta);
	bpfrt_register_helper(rt, BPF_FUNC_xdp_adjust_tail, "xdp_adjust_tail", h_xdp_adjust_tail);
	bpfrt_register_helper(rt, BPF_FUNC_skb_load_bytes, "skb_load_bytes", h_skb_load_bytes);
}
