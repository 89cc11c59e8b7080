/* xdp.h — running a loaded packet program (XDP, SCHED_CLS/SCHED_ACT,
 * SOCKET_FILTER) on one frame at a time: the frame runner every packet
 * source shares (pcap files, AF_PACKET, BPF_PROG_TEST_RUN's frame layout).
 *
 * A runner owns one frame buffer laid out as the kernel lays out an XDP
 * frame: BPFRT_PKT_BUF_SIZE bytes (a page), the packet at
 * BPFRT_XDP_HEADROOM (256), the skb_shared_info tailroom
 * (BPFRT_XDP_TAILROOM) at the end, so bpf_xdp_adjust_head/meta/tail have the
 * kernel's limits.  It holds a reference on the program and a prepared
 * context (core/pkt_ctx.h) and run options: a run is a copy of the packet
 * plus the program, no allocation.
 *
 * A runner's run options point into it: it may not be copied or moved
 * after bpfrt_pkt_runner_init.
 *
 * Threads: a runner is used by one thread at a time; several runners (one
 * per thread, each with its own `cpu`) run the same program in parallel.
 * `cpu` is the runner's CPU identity: bpf_get_smp_processor_id() returns it
 * and per-CPU maps use its slot during a run (bpfrt_thread_cpu_set), so two
 * threads never share a per-CPU value even when the OS moves them, as the
 * kernel never runs two programs on one CPU at once (maps/map.h).
 */
#ifndef BPFRT_HOOKS_XDP_H
#define BPFRT_HOOKS_XDP_H

#include "core/pkt_ctx.h"
#include "bpfrt/bpfrt.h"

#include <stdbool.h>
#include <stdint.h>

#define BPFRT_PKT_BUF_SIZE 4096u
#define BPFRT_XDP_HEADROOM 256u   /* XDP_PACKET_HEADROOM */
#define BPFRT_XDP_FRAME_SIZE 40u  /* sizeof(struct xdp_frame): kept at the buffer's start */
#define BPFRT_XDP_TAILROOM 320u   /* SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) on x86-64 */
/* The longest packet a frame holds (3520 bytes): bpfrt has no fragments. */
#define BPFRT_PKT_MAX_LEN (BPFRT_PKT_BUF_SIZE - BPFRT_XDP_HEADROOM - BPFRT_XDP_TAILROOM)

/* Lay out an XDP frame in buf (BPFRT_PKT_BUF_SIZE bytes): `meta` bytes of
 * metadata then the packet start at buf + BPFRT_XDP_HEADROOM - meta, the
 * packet (len bytes) at buf + BPFRT_XDP_HEADROOM.  The caller has copied
 * the bytes there; this sets c's pointers, and the redirect info empty. */
void bpfrt_xdp_frame_init(struct bpfrt_xdp_ctx *c, uint8_t *buf, uint32_t meta, uint32_t len);

/* The skb of a frame of len bytes at buf + BPFRT_XDP_HEADROOM (already
 * copied there), as eth_type_trans on the kernel's test device: protocol
 * from the Ethernet header, pkt_type from the destination MAC, len, and the
 * packet pointers from the Ethernet header on (l2: tc) or from the network
 * header (socket filters).  c->skb's other fields are left as the caller
 * set them (ifindex: 1 when 0, wire_len: len when 0). */
void bpfrt_skb_frame_init(struct bpfrt_skb_ctx *c, uint8_t *buf, uint32_t len, bool l2);

/* Where a packet may come from, per run. */
struct bpfrt_pkt_meta {
	uint32_t ingress_ifindex; /* xdp_md.ingress_ifindex / __sk_buff.ifindex (0: 1, loopback) */
	uint32_t rx_queue_index;  /* xdp_md.rx_queue_index / __sk_buff.queue_mapping */
};

/* What a run gave. */
struct bpfrt_pkt_result {
	uint32_t verdict; /* r0: enum xdp_action, TC_ACT_*, or a socket filter's length */
	int err;          /* 0, or the run's fault (negative errno; the runner's diag says why):
			     the packet then counts as aborted (XDP_ABORTED / TC_ACT_SHOT) */
	uint8_t *data;    /* the frame after the run (points into the runner's buffer,
			     valid until its next run): from the Ethernet header */
	uint32_t len;
	uint32_t meta_len; /* XDP metadata: the meta_len bytes before data */
	struct bpfrt_redirect_info redirect; /* for XDP_REDIRECT / TC_ACT_REDIRECT */
};

struct bpfrt_prog;

#define BPFRT_PKT_RUNNER_GLOBALS 16

struct bpfrt_pkt_runner {
	struct bpfrt *rt;
	struct bpfrt_prog *prog; /* one reference */
	uint32_t type;           /* the program's type */
	int cpu;                 /* the runner's CPU identity */
	uint8_t *buf;            /* BPFRT_PKT_BUF_SIZE bytes, page aligned */
	union {
		struct bpfrt_xdp_ctx xdp;
		struct bpfrt_skb_ctx skb;
	} ctx;
	struct bpfrt_run_opts opts;
	struct bpfrt_region globals[BPFRT_PKT_RUNNER_GLOBALS]; /* checked engine: global data */
	struct bpfrt_diag diag; /* the last fault */
};

/* Prepare r to run the program prog_fd of rt (XDP, SCHED_CLS, SCHED_ACT or
 * SOCKET_FILTER; -EINVAL otherwise, -EBADF for a bad fd) as CPU `cpu`
 * (0..nr possible CPUs - 1; -EINVAL otherwise), on rt's engine
 * (bpfrt_engine(); the JIT by default, as PROG_TEST_RUN).  The runner
 * holds its own reference on the program: the caller may close prog_fd.
 * Free with bpfrt_pkt_runner_fini. */
int bpfrt_pkt_runner_init(struct bpfrt_pkt_runner *r, struct bpfrt *rt, int prog_fd, int cpu);
void bpfrt_pkt_runner_fini(struct bpfrt_pkt_runner *r);

/* Where a packet source may write a packet of up to BPFRT_PKT_MAX_LEN bytes
 * before bpfrt_pkt_run_inplace (saves a copy). */
static inline uint8_t *bpfrt_pkt_runner_rx_buf(struct bpfrt_pkt_runner *r)
{
	return r->buf + BPFRT_XDP_HEADROOM;
}

/* Run the program on a copy of pkt (len bytes, ETH_HLEN..BPFRT_PKT_MAX_LEN;
 * -EINVAL otherwise, nothing run).  meta may be NULL.  Returns 0 when the
 * program ran (res->err tells a fault), or -EINVAL.  The frame in res
 * shows every rewrite (adjust_head/tail/meta, stores). */
int bpfrt_pkt_run(struct bpfrt_pkt_runner *r, const uint8_t *pkt, uint32_t len,
		  const struct bpfrt_pkt_meta *meta, struct bpfrt_pkt_result *res);
/* The same on the len bytes already at bpfrt_pkt_runner_rx_buf(r). */
int bpfrt_pkt_run_inplace(struct bpfrt_pkt_runner *r, uint32_t len, const struct bpfrt_pkt_meta *meta,
			  struct bpfrt_pkt_result *res);

/* Is the verdict a fault or XDP_ABORTED?  (For statistics.) */
static inline bool bpfrt_pkt_aborted(const struct bpfrt_pkt_runner *r, const struct bpfrt_pkt_result *res)
{
	return res->err || (r->type == BPF_PROG_TYPE_XDP && res->verdict == XDP_ABORTED);
}

#endif
