/* live.h — an XDP program on live interfaces (`bpfrt net attach`): worker
 * threads read frames from each interface's TPACKET_V3 ring
 * (hooks/afpacket.h), run the program on each (hooks/xdp.h's frame runner)
 * and carry out its verdict:
 *
 *   XDP_TX        the frame goes back out of the interface it came from
 *   XDP_REDIRECT  out of the interface bpf_redirect / a DEVMAP named, or
 *                 of every interface of the DEVMAP (BPF_F_BROADCAST)
 *   XDP_PASS      into the TAP device if one is configured, else counted
 *                 and dropped (AF_PACKET cannot stop the kernel's own copy,
 *                 see docs/architecture.md, "Live interfaces")
 *   XDP_DROP, XDP_ABORTED, a fault, an unknown verdict: counted, dropped
 *
 * One worker per CPU (opts.workers), each with its own CPU identity for
 * per-CPU maps and bpf_get_smp_processor_id; with several workers each
 * interface's sockets form a PACKET_FANOUT_HASH group, so a flow stays on
 * one worker and keeps its order.  Counters are per worker, written only by
 * their worker, summed on demand.
 */
#ifndef BPFRT_HOOKS_LIVE_H
#define BPFRT_HOOKS_LIVE_H

#include "bpfrt/bpfrt.h"

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

struct bpfrt_live_opts {
	size_t sz;
	const char *const *devs; /* interface names (at least one) */
	uint32_t nr_devs;
	const char *tap;         /* TAP device for XDP_PASS; NULL: passed frames are dropped */
	uint32_t workers;        /* worker threads (0: one per online CPU, at most the possible CPUs) */
	uint32_t block_size, block_nr; /* ring geometry (0: afpacket.c's defaults) */
};

/* Verdict slots: enum xdp_action's values. */
#define BPFRT_LIVE_VERDICTS 5

struct bpfrt_live_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t packets[BPFRT_LIVE_VERDICTS], bytes[BPFRT_LIVE_VERDICTS];
	uint64_t faults;          /* runs that faulted (also counted as aborted) */
	uint64_t bad_verdicts;    /* r0 not an xdp_action (also counted as aborted) */
	uint64_t pass_dropped;    /* XDP_PASS with no TAP device */
	uint64_t redirect_errors; /* no such device (per copy of a broadcast), or a target bpfrt
				     can't send to (XSKMAP, CPUMAP) */
	uint64_t tx_errors;       /* send to an interface / write to the TAP failed */
	uint64_t oversize;        /* frames the ring cut or longer than an XDP frame (GRO/TSO) */
	uint64_t ring_drops;      /* frames the kernel dropped: ring full */
};

struct bpfrt_live;

/* Prepare prog_fd (an XDP program of rt) on opts->devs: open every
 * interface's ring for every worker, the TAP device, the frame runners.
 * Nothing runs yet.  On failure returns a negative errno and writes a
 * message naming the device and the step into err (errlen bytes):
 * -ENODEV for an unknown interface, -EINVAL for a program that is not XDP. */
int bpfrt_live_open(struct bpfrt *rt, int prog_fd, const struct bpfrt_live_opts *opts, struct bpfrt_live **out,
		    char *err, size_t errlen);
/* Start the workers.  0 or a negative errno (message in err). */
int bpfrt_live_start(struct bpfrt_live *l, char *err, size_t errlen);
/* The sums of every worker's counters so far.  One caller at a time (it
 * collects the rings' drop counts, which the kernel resets on reading). */
void bpfrt_live_stats(struct bpfrt_live *l, struct bpfrt_live_stats *s);
/* Stop and join the workers: frames the kernel already handed over still
 * get their verdict.  The counters stay readable.  Idempotent. */
void bpfrt_live_stop(struct bpfrt_live *l);
/* Stop (if not yet), close everything, free l.  NULL is fine. */
void bpfrt_live_close(struct bpfrt_live *l);

uint32_t bpfrt_live_nr_workers(const struct bpfrt_live *l);
/* The i-th interface's name and index. */
const char *bpfrt_live_dev_name(const struct bpfrt_live *l, uint32_t i, int *ifindex);
/* Offloads of the i-th interface that merge frames (as they were at
 * open): frames over an XDP frame's 3,520 bytes are dropped as oversize,
 * so a caller should warn.  0 when none or unknown. */
#define BPFRT_LIVE_GRO 1u
#define BPFRT_LIVE_LRO 2u
uint32_t bpfrt_live_dev_merging(const struct bpfrt_live *l, uint32_t i);
/* The TAP device's name, or NULL. */
const char *bpfrt_live_tap_name(const struct bpfrt_live *l);

#endif
