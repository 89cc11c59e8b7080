/* test_run.c — BPF_PROG_TEST_RUN: run a program on caller-supplied data
 * and context, `repeat` times, and report retval, duration and the data
 * and context afterwards, as the kernel's net/bpf/test_run.c does.
 *
 * XDP and skb programs get the context of core/pkt_ctx.h: the UAPI struct
 * and after it the packet pointers the verifier's rewrite loads from, so
 * the packet buffer may be anywhere.
 */
#define _GNU_SOURCE
#include "core/pkt_ctx.h"
#include "core/prog.h"
#include "hooks/xdp.h"
#include "verifier/ctx_table.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define U64_PTR(x) ((void *)(uintptr_t)(x))
#define ETH_HLEN 14
/* The frame layout is the packet runners' (hooks/xdp.h). */
#define XDP_HEADROOM BPFRT_XDP_HEADROOM
#define XDP_FRAME_SIZE BPFRT_XDP_FRAME_SIZE /* the top of the headroom metadata can't enter */
#define PAGE BPFRT_PKT_BUF_SIZE
#define SKB_TAILROOM BPFRT_XDP_TAILROOM

struct low_buf {
	uint8_t *base;
	size_t size;
};

static int low_alloc(struct low_buf *b, size_t size)
{
	b->size = (size + PAGE - 1) & ~(size_t)(PAGE - 1);
	b->base = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return b->base == MAP_FAILED ? -ENOMEM : 0;
}

static void low_free(struct low_buf *b)
{
	if (b->base && b->base != MAP_FAILED)
		munmap(b->base, b->size);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Copy out like the kernel's bpf_test_finish: a short buffer gets what
 * fits and -ENOSPC; the size field always says the full size. */
static int copy_out(uint64_t uptr, uint32_t *usize, const void *src, uint32_t size)
{
	if (!uptr) {
		*usize = size;
		return 0;
	}
	uint32_t n = size;
	int err = 0;
	if (*usize && n > *usize) {
		n = *usize;
		err = -ENOSPC;
	}
	memcpy(U64_PTR(uptr), src, n);
	*usize = size;
	return err;
}

void bpfrt_prog_run_opts_init(struct bpfrt_prog *p, struct bpfrt_run_opts *o, struct bpfrt_region *globals,
			      uint32_t cap)
{
	o->flags |= bpfrt_engine_run_flags(p->obj.rt);
	if (p->unverified) {
		o->insn_limit = BPFRT_UNVERIFIED_INSN_LIMIT;
		o->flags &= ~(uint32_t)BPFRT_RUN_JIT;
	}
	if (!(o->flags & BPFRT_RUN_CHECKED))
		return;
	uint32_t n = 0, zero = 0;
	for (uint32_t i = 0; i < p->nr_maps && n < cap; i++) {
		struct bpfrt_map *m = p->maps[i];
		if (m->ops != &bpfrt_array_map_ops || m->max_entries != 1)
			continue;
		globals[n++] = (struct bpfrt_region){.name = "map value", .start = m->ops->lookup(m, &zero),
						     .size = m->value_size,
						     .flags = (m->flags & BPF_F_RDONLY_PROG)
								      ? BPFRT_REGION_READ
								      : BPFRT_REGION_READ | BPFRT_REGION_WRITE};
	}
	o->regions = globals;
	o->nr_regions = n;
}

/* Run prog `repeat` times on the runtime's engine; returns 0 or the run's
 * fault.  Unverified programs interpret (checked if that is the engine)
 * with a budget: nothing proves they end, and the JIT runs verified
 * programs only.  The checked engine may also touch the values of the
 * single-element arrays the program addresses directly (global data). */
static int run_repeat(struct bpfrt_prog *p, struct bpfrt_run_opts *o, union bpf_attr *attr, uint64_t *r0)
{
	uint32_t repeat = attr->test.repeat ? attr->test.repeat : 1;
	struct bpfrt_diag diag;
	struct bpfrt_region globals[16];
	bpfrt_prog_run_opts_init(p, o, globals, sizeof(globals) / sizeof(globals[0]));
	uint64_t t0 = now_ns();
	for (uint32_t i = 0; i < repeat; i++) {
		int err = bpfrt_vm_run(p->vm, o, r0, &diag);
		if (err)
			return err;
	}
	uint64_t total = now_ns() - t0;
	__atomic_add_fetch(&p->run_cnt, repeat, __ATOMIC_RELAXED);
	__atomic_add_fetch(&p->run_time_ns, total, __ATOMIC_RELAXED);
	uint64_t avg = total / repeat;
	attr->test.duration = avg > UINT32_MAX ? UINT32_MAX : (uint32_t)avg;
	attr->test.retval = (uint32_t)*r0;
	return 0;
}

/* ctx_in larger than the kernel's struct: the rest must be zero (-E2BIG),
 * as bpf_check_uarg_tail_zero. */
static int ctx_tail_zero(const void *in, uint32_t size, uint32_t known)
{
	const uint8_t *b = in;
	for (uint32_t i = known; i < size; i++)
		if (b[i])
			return -E2BIG;
	return 0;
}

/* XDP as the kernel's bpf_prog_test_run_xdp.  With a context (ctx_in or
 * ctx_out given), ctx_in's data is the length of the metadata that leads
 * data_in (4-byte multiple, at most 255, and it comes out of the 256-byte
 * headroom above the 40-byte xdp_frame) and data_end the length of
 * data_in; data_meta must be 0.  The packet itself always starts 256 bytes
 * into the page.  data_out is metadata + packet (from data_meta, so it
 * includes what bpf_xdp_adjust_meta added); ctx_out gives data and
 * data_end relative to data_meta.  bpfrt has no fragments: data_end must be
 * 0 (all of data_in) or data_in's size, which must fit the linear buffer. */
static int test_run_xdp(struct bpfrt_prog *p, union bpf_attr *attr)
{
	uint32_t size = attr->test.data_size_in;
	if (attr->test.flags || attr->test.cpu || attr->test.batch_size)
		return -EINVAL;
	if (size < ETH_HLEN || !attr->test.data_in)
		return -EINVAL;
	struct xdp_md md = {0};
	bool has_ctx = attr->test.ctx_in || attr->test.ctx_out;
	uint32_t meta = 0;
	if (attr->test.ctx_in) {
		uint32_t n = attr->test.ctx_size_in;
		if (n > sizeof(md)) {
			int err = ctx_tail_zero(U64_PTR(attr->test.ctx_in), n, sizeof(md));
			if (err)
				return err;
			n = sizeof(md);
		}
		memcpy(&md, U64_PTR(attr->test.ctx_in), n);
	}
	if (has_ctx) {
		/* There can't be user data before the metadata. */
		if (md.data_meta || md.data > md.data_end || md.data_end > size || (md.data & 3) ||
		    md.data > XDP_HEADROOM - XDP_FRAME_SIZE)
			return -EINVAL;
		/* The kernel takes the linear length from data_end (the rest of
		 * data_in goes to fragments); bpfrt has no devices or fragments. */
		if (md.data_end != 0 && (md.data_end != size || md.data_end - md.data < ETH_HLEN))
			return -EINVAL;
		if (md.egress_ifindex || md.ingress_ifindex || md.rx_queue_index)
			return -EINVAL;
		meta = md.data;
	}
	if (size - meta > PAGE - XDP_HEADROOM - SKB_TAILROOM)
		return -EINVAL;
	struct low_buf buf;
	if (low_alloc(&buf, PAGE))
		return -ENOMEM;
	uint8_t *data = buf.base + XDP_HEADROOM;
	memcpy(data - meta, U64_PTR(attr->test.data_in), size);
	struct bpfrt_xdp_ctx c = {.md = md};
	bpfrt_xdp_frame_init(&c, buf.base, meta, size - meta);
	/* The packet region is the whole frame buffer (headroom, data,
	 * tailroom): bpf_xdp_adjust_head/meta/tail move data within it. */
	struct bpfrt_run_opts o = {.sz = sizeof(o), .tail_call = bpfrt_prog_tail_call, .ctx = &c, .ctx_size = sizeof(c),
				   .packet = buf.base, .packet_size = PAGE};
	uint64_t r0 = 0;
	int err = run_repeat(p, &o, attr, &r0);
	if (!err) {
		uint8_t *start = (uint8_t *)(uintptr_t)c.pkt.data_meta, *end = (uint8_t *)(uintptr_t)c.pkt.data_end;
		err = copy_out(attr->test.data_out, &attr->test.data_size_out, start, (uint32_t)(end - start));
		if (!err && has_ctx && attr->test.ctx_out) {
			struct xdp_md out = c.md;
			out.data = (uint32_t)(c.pkt.data - c.pkt.data_meta);
			out.data_meta = 0;
			out.data_end = (uint32_t)(c.pkt.data_end - c.pkt.data_meta);
			err = copy_out(attr->test.ctx_out, &attr->test.ctx_size_out, &out, sizeof(out));
		}
	}
	low_free(&buf);
	return err;
}

/* The __sk_buff fields a caller may set through ctx_in (as the kernel's
 * convert___skb_to_skb allows): mark, priority, ifindex, cb, tstamp,
 * wire_len, gso_segs, gso_size, hwtstamp.  Anything else must be zero. */
static int skb_ctx_check(const struct __sk_buff *s)
{
	const uint8_t *b = (const uint8_t *)s;
	static const struct {
		size_t off, len;
	} allowed[] = {
		{offsetof(struct __sk_buff, mark), 4},
		{offsetof(struct __sk_buff, priority), 4},
		{offsetof(struct __sk_buff, ifindex), 4},
		{offsetof(struct __sk_buff, cb), sizeof(s->cb)},
		{offsetof(struct __sk_buff, tstamp), 8},
		{offsetof(struct __sk_buff, wire_len), 4},
		{offsetof(struct __sk_buff, gso_segs), 4},
		{offsetof(struct __sk_buff, gso_size), 4},
		{offsetof(struct __sk_buff, hwtstamp), 8},
	};
	for (size_t i = 0; i < sizeof(*s); i++) {
		bool ok = false;
		for (size_t k = 0; k < sizeof(allowed) / sizeof(allowed[0]); k++)
			ok |= i >= allowed[k].off && i < allowed[k].off + allowed[k].len;
		if (!ok && b[i])
			return -EINVAL;
	}
	return 0;
}

static int test_run_skb(struct bpfrt_prog *p, union bpf_attr *attr)
{
	uint32_t size = attr->test.data_size_in;
	bool is_l2 = p->type != BPF_PROG_TYPE_SOCKET_FILTER;
	if (attr->test.flags || attr->test.cpu || attr->test.batch_size)
		return -EINVAL;
	if (size < ETH_HLEN || size > PAGE - XDP_HEADROOM - SKB_TAILROOM || !attr->test.data_in)
		return -EINVAL;
	struct __sk_buff skb = {0};
	if (attr->test.ctx_size_in) {
		if (attr->test.ctx_size_in > sizeof(skb))
			return -EINVAL;
		memcpy(&skb, U64_PTR(attr->test.ctx_in), attr->test.ctx_size_in);
		if (skb_ctx_check(&skb))
			return -EINVAL;
	}
	struct low_buf buf;
	if (low_alloc(&buf, PAGE))
		return -ENOMEM;
	uint8_t *frame = buf.base + XDP_HEADROOM;
	memcpy(frame, U64_PTR(attr->test.data_in), size);
	skb.ingress_ifindex = 0;
	struct bpfrt_skb_ctx c = {.skb = skb};
	bpfrt_skb_frame_init(&c, buf.base, size, is_l2);
	if (c.skb.wire_len < c.skb.len) {
		low_free(&buf);
		return -EINVAL;
	}
	uint8_t *data = (uint8_t *)(uintptr_t)c.pkt.data;
	struct bpfrt_run_opts o = {.sz = sizeof(o), .tail_call = bpfrt_prog_tail_call, .ctx = &c, .ctx_size = sizeof(c),
				   .packet = data, .packet_size = (size_t)(frame + size - data)};
	uint64_t r0 = 0;
	int err = run_repeat(p, &o, attr, &r0);
	skb = c.skb;
	if (!err) {
		uint8_t *start = (uint8_t *)(uintptr_t)c.pkt.data;
		if (!is_l2) {
			/* The kernel pushes the link-layer header back as zeroes. */
			start -= ETH_HLEN;
			memset(start, 0, ETH_HLEN);
		}
		uint8_t *end = (uint8_t *)(uintptr_t)c.pkt.data_end;
		err = copy_out(attr->test.data_out, &attr->test.data_size_out, start, (uint32_t)(end - start));
		if (!err && attr->test.ctx_out) {
			struct __sk_buff out = {0};
			out.mark = skb.mark;
			out.priority = skb.priority;
			out.ifindex = skb.ifindex;
			memcpy(out.cb, skb.cb, sizeof(out.cb));
			out.tstamp = skb.tstamp;
			out.wire_len = skb.wire_len;
			out.gso_segs = skb.gso_segs;
			out.gso_size = skb.gso_size;
			err = copy_out(attr->test.ctx_out, &attr->test.ctx_size_out, &out,
				       attr->test.ctx_size_out && attr->test.ctx_size_out < sizeof(out)
					       ? attr->test.ctx_size_out
					       : sizeof(out));
		}
	}
	low_free(&buf);
	return err;
}

/* SYSCALL and raw tracepoints: r1 = a copy of ctx_in; no packet, no
 * repeat, no ctx_out (the kernel's bpf_prog_test_run_syscall/_raw_tp).  A
 * SYSCALL program's context is written back into ctx_in, as the kernel
 * does; raw tracepoint arguments take at most 12 u64s.
 *
 * bpfrt's addition: TRACEPOINT, KPROBE and PERF_EVENT programs, which the
 * kernel cannot test-run (-ENOTSUPP), run the same way with ctx_in as
 * their record (the tracepoint's record, struct pt_regs, ...), so they can
 * be developed and tested without attaching them. */
static int test_run_ctx_only(struct bpfrt_prog *p, union bpf_attr *attr)
{
	bool syscall_type = p->type == BPF_PROG_TYPE_SYSCALL;
	if (attr->test.data_in || attr->test.data_out || attr->test.data_size_in ||
	    attr->test.data_size_out || attr->test.ctx_out || attr->test.duration || attr->test.repeat ||
	    attr->test.batch_size)
		return -EINVAL;
	if (syscall_type ? attr->test.flags || attr->test.cpu
			 : (attr->test.flags & ~(uint32_t)BPF_F_TEST_RUN_ON_CPU) ||
				   (!(attr->test.flags & BPF_F_TEST_RUN_ON_CPU) && attr->test.cpu))
		return -EINVAL;
	uint32_t n = attr->test.ctx_size_in;
	if (n > (p->type == BPF_PROG_TYPE_RAW_TRACEPOINT ? 12u * 8u : 65535u))
		return -EINVAL;
	/* The verifier let the program address the whole context its type
	 * has (ctx_table.c): give it that much, zero past what came in. */
	const struct vf_ctx_desc *desc = vf_ctx_desc(p->type);
	size_t room = desc && desc->size > n ? desc->size : n;
	uint8_t *ctx = room ? calloc(1, room) : NULL;
	if (room && !ctx)
		return -ENOMEM;
	if (n)
		memcpy(ctx, U64_PTR(attr->test.ctx_in), n);
	struct bpfrt_run_opts o = {.sz = sizeof(o), .tail_call = bpfrt_prog_tail_call, .ctx = ctx, .ctx_size = room};
	uint64_t r0 = 0;
	int err = run_repeat(p, &o, attr, &r0);
	attr->test.duration = 0; /* these runs report no duration */
	if (!err && syscall_type && n)
		memcpy(U64_PTR(attr->test.ctx_in), ctx, n);
	free(ctx);
	return err;
}

int bpfrt_cmd_prog_test_run(struct bpfrt *rt, union bpf_attr *attr)
{
	int err = 0;
	struct bpfrt_obj *obj = bpfrt_fd_get(rt, (int)attr->test.prog_fd, BPFRT_OBJ_PROG, &err);
	if (!obj)
		return err;
	struct bpfrt_prog *p = bpfrt_prog_from_obj(obj);
	if ((attr->test.ctx_size_in && !attr->test.ctx_in) || (!attr->test.ctx_size_in && attr->test.ctx_in))
		err = -EINVAL;
	else if (p->type == BPF_PROG_TYPE_XDP)
		err = test_run_xdp(p, attr);
	else if (p->type == BPF_PROG_TYPE_SOCKET_FILTER || p->type == BPF_PROG_TYPE_SCHED_CLS ||
		 p->type == BPF_PROG_TYPE_SCHED_ACT)
		err = test_run_skb(p, attr);
	else if (p->type == BPF_PROG_TYPE_SYSCALL || p->type == BPF_PROG_TYPE_RAW_TRACEPOINT ||
		 p->type == BPF_PROG_TYPE_TRACEPOINT || p->type == BPF_PROG_TYPE_KPROBE ||
		 p->type == BPF_PROG_TYPE_PERF_EVENT)
		err = test_run_ctx_only(p, attr);
	else
		err = -ENOTSUPP;
	bpfrt_obj_put(obj);
	return err;
}
