/* xdp.c — the frame runner (hooks/xdp.h): one packet program run per
 * frame, on a buffer laid out as the kernel's XDP frame, with the context
 * of core/pkt_ctx.h prepared once per runner.  BPF_PROG_TEST_RUN
 * (core/test_run.c) lays out its frames with the same two functions, so a
 * test run and a packet source see identical limits.
 *
 * Per packet: a copy of the bytes (or none, _inplace), a handful of
 * context stores, the run.  No allocation, no lock.
 */
#define _GNU_SOURCE
#include "hooks/xdp.h"

#include "core/object.h"
#include "core/prog.h"
#include "maps/map.h"

#include <errno.h>
#include <linux/pkt_cls.h>
#include <string.h>
#include <sys/mman.h>

#define ETH_HLEN 14

void bpfrt_xdp_frame_init(struct bpfrt_xdp_ctx *c, uint8_t *buf, uint32_t meta, uint32_t len)
{
	uint8_t *data = buf + BPFRT_XDP_HEADROOM;
	c->pkt.data_meta = (uintptr_t)(data - meta);
	c->pkt.data = (uintptr_t)data;
	c->pkt.data_end = (uintptr_t)(data + len);
	c->ri = (struct bpfrt_redirect_info){0};
	bpfrt_xdp_ctx_sync(c);
}

/* eth_type_trans's pkt_type on a device with the all-zero MAC (the
 * kernel's test device is loopback). */
static uint32_t pkt_type_of(const uint8_t *frame)
{
	static const uint8_t zero[6], bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	if (!memcmp(frame, bcast, 6))
		return 1; /* PACKET_BROADCAST */
	if (frame[0] & 1)
		return 2; /* PACKET_MULTICAST */
	return memcmp(frame, zero, 6) ? 3 : 0; /* PACKET_OTHERHOST : PACKET_HOST */
}

void bpfrt_skb_frame_init(struct bpfrt_skb_ctx *c, uint8_t *buf, uint32_t len, bool l2)
{
	uint8_t *frame = buf + BPFRT_XDP_HEADROOM;
	/* eth_type_trans: protocol from the frame; socket filters see the
	 * packet from the network header on. */
	uint8_t *data = l2 ? frame : frame + ETH_HLEN;
	c->skb.len = l2 ? len : len - ETH_HLEN;
	memcpy(&c->skb.protocol, frame + 12, 2);
	c->skb.pkt_type = pkt_type_of(frame);
	if (!c->skb.wire_len)
		c->skb.wire_len = c->skb.len;
	if (!c->skb.ifindex)
		c->skb.ifindex = 1; /* loopback, as the kernel's test device */
	c->pkt.data = (uintptr_t)data;
	c->pkt.data_end = (uintptr_t)(frame + len);
	c->pkt.data_meta = c->pkt.data;
	c->ri = (struct bpfrt_redirect_info){0};
	bpfrt_skb_ctx_sync(c);
}

static bool runnable_type(uint32_t t)
{
	return t == BPF_PROG_TYPE_XDP || t == BPF_PROG_TYPE_SCHED_CLS || t == BPF_PROG_TYPE_SCHED_ACT ||
	       t == BPF_PROG_TYPE_SOCKET_FILTER;
}

int bpfrt_pkt_runner_init(struct bpfrt_pkt_runner *r, struct bpfrt *rt, int prog_fd, int cpu)
{
	memset(r, 0, sizeof(*r));
	if (cpu < 0 || (uint32_t)cpu >= bpfrt_possible_cpus())
		return -EINVAL;
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, prog_fd, BPFRT_OBJ_PROG, &err);
	if (!obj)
		return err;
	struct bpfrt_prog *p = bpfrt_prog_from_obj(obj);
	if (!runnable_type(p->type)) {
		bpfrt_obj_put(obj);
		return -EINVAL;
	}
	void *buf = mmap(NULL, BPFRT_PKT_BUF_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		bpfrt_obj_put(obj);
		return -ENOMEM;
	}
	r->rt = rt;
	r->prog = p;
	r->type = p->type;
	r->cpu = cpu;
	r->buf = buf;
	r->opts = (struct bpfrt_run_opts){.sz = sizeof(r->opts), .tail_call = bpfrt_prog_tail_call};
	bpfrt_prog_run_opts_init(p, &r->opts, r->globals, BPFRT_PKT_RUNNER_GLOBALS);
	if (p->type == BPF_PROG_TYPE_XDP) {
		/* The packet region is the whole frame buffer (headroom, data,
		 * tailroom): bpf_xdp_adjust_head/meta/tail move data within it. */
		r->opts.ctx = &r->ctx.xdp;
		r->opts.ctx_size = sizeof(r->ctx.xdp);
		r->opts.packet = buf;
		r->opts.packet_size = BPFRT_PKT_BUF_SIZE;
	} else {
		r->opts.ctx = &r->ctx.skb;
		r->opts.ctx_size = sizeof(r->ctx.skb);
	}
	return 0;
}

void bpfrt_pkt_runner_fini(struct bpfrt_pkt_runner *r)
{
	if (r->buf)
		munmap(r->buf, BPFRT_PKT_BUF_SIZE);
	if (r->prog)
		bpfrt_obj_put(&r->prog->obj);
	memset(r, 0, sizeof(*r));
}

static void xdp_prepare(struct bpfrt_pkt_runner *r, uint32_t len, const struct bpfrt_pkt_meta *meta)
{
	struct bpfrt_xdp_ctx *c = &r->ctx.xdp;
	c->md.ingress_ifindex = meta ? meta->ingress_ifindex : 0;
	c->md.rx_queue_index = meta ? meta->rx_queue_index : 0;
	c->md.egress_ifindex = 0;
	bpfrt_xdp_frame_init(c, r->buf, 0, len);
}

/* The skb starts fresh for every packet: nothing a program wrote into the
 * previous one (mark, cb, ...) survives. */
static void skb_prepare(struct bpfrt_pkt_runner *r, uint32_t len, const struct bpfrt_pkt_meta *meta)
{
	struct bpfrt_skb_ctx *c = &r->ctx.skb;
	memset(&c->skb, 0, sizeof(c->skb));
	c->skb.ifindex = meta ? meta->ingress_ifindex : 0;
	c->skb.ingress_ifindex = meta ? meta->ingress_ifindex : 0;
	c->skb.queue_mapping = meta ? meta->rx_queue_index : 0;
	bpfrt_skb_frame_init(c, r->buf, len, r->type != BPF_PROG_TYPE_SOCKET_FILTER);
	/* LD_ABS/LD_IND read from skb->data on; the region is the packet. */
	r->opts.packet = (void *)(uintptr_t)c->pkt.data;
	r->opts.packet_size = (size_t)(c->pkt.data_end - c->pkt.data);
}

static void collect(struct bpfrt_pkt_runner *r, int err, uint64_t r0, struct bpfrt_pkt_result *res)
{
	res->err = err;
	if (r->type == BPF_PROG_TYPE_XDP) {
		const struct bpfrt_xdp_ctx *c = &r->ctx.xdp;
		res->verdict = err ? XDP_ABORTED : (uint32_t)r0;
		res->data = (uint8_t *)(uintptr_t)c->pkt.data;
		res->len = (uint32_t)(c->pkt.data_end - c->pkt.data);
		res->meta_len = (uint32_t)(c->pkt.data - c->pkt.data_meta);
		res->redirect = c->ri;
		return;
	}
	const struct bpfrt_skb_ctx *c = &r->ctx.skb;
	res->verdict = err ? (r->type == BPF_PROG_TYPE_SOCKET_FILTER ? 0 : TC_ACT_SHOT) : (uint32_t)r0;
	res->data = (uint8_t *)(uintptr_t)c->pkt.data;
	if (r->type == BPF_PROG_TYPE_SOCKET_FILTER)
		res->data -= ETH_HLEN; /* the frame keeps its link-layer header */
	res->len = (uint32_t)((uint8_t *)(uintptr_t)c->pkt.data_end - res->data);
	res->meta_len = 0;
	res->redirect = c->ri;
}

int bpfrt_pkt_run_inplace(struct bpfrt_pkt_runner *r, uint32_t len, const struct bpfrt_pkt_meta *meta,
			  struct bpfrt_pkt_result *res)
{
	if (len < ETH_HLEN || len > BPFRT_PKT_MAX_LEN)
		return -EINVAL;
	if (r->type == BPF_PROG_TYPE_XDP)
		xdp_prepare(r, len, meta);
	else
		skb_prepare(r, len, meta);
	int old = bpfrt_thread_cpu_set(r->cpu);
	uint64_t r0 = 0;
	int err = bpfrt_vm_run(r->prog->vm, &r->opts, &r0, &r->diag);
	bpfrt_thread_cpu_set(old);
	collect(r, err, r0, res);
	return 0;
}

int bpfrt_pkt_run(struct bpfrt_pkt_runner *r, const uint8_t *pkt, uint32_t len, const struct bpfrt_pkt_meta *meta,
		  struct bpfrt_pkt_result *res)
{
	if (len < ETH_HLEN || len > BPFRT_PKT_MAX_LEN)
		return -EINVAL;
	memcpy(bpfrt_pkt_runner_rx_buf(r), pkt, len);
	return bpfrt_pkt_run_inplace(r, len, meta, res);
}
