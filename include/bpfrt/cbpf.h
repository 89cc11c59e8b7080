/* bpfrt/cbpf.h — classic BPF (cBPF): the programs libpcap's pcap_compile
 * produces from tcpdump expressions, and seccomp filters, checked with the
 * kernel's rules and translated to eBPF the way the kernel's
 * bpf_convert_filter does, so bpfrt's verifier proves the result and any
 * engine runs it.
 *
 * Instructions are the kernel's own `struct sock_filter` (<linux/filter.h>),
 * which has the layout of libpcap's `struct bpf_insn` (code, jt, jf, k).
 * Errors: negative errno (errno set too), and a struct bpfrt_diag naming the
 * cBPF instruction (diag->insn) and the rule it breaks.
 */
#ifndef BPFRT_CBPF_H
#define BPFRT_CBPF_H

#include <linux/filter.h>
#include <stdint.h>

#include "bpfrt/bpfrt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which context a program runs with. */
enum bpfrt_cbpf_flavor {
	/* A socket filter: the context is struct __sk_buff over a packet;
	 * LD_ABS/LD_IND/LDX_MSH read the packet in network byte order, a read
	 * out of bounds ends the program with 0; the result is the number of
	 * bytes to keep (0: drop).  Loads as BPF_PROG_TYPE_SOCKET_FILTER. */
	BPFRT_CBPF_SOCKET_FILTER = 0,
	/* A seccomp filter: the context is struct seccomp_data (<linux/seccomp.h>);
	 * only aligned 32-bit absolute loads inside it (the kernel's
	 * seccomp_check_filter), LEN is sizeof(struct seccomp_data); the result
	 * is a SECCOMP_RET_* action.  Loads as BPF_PROG_TYPE_SYSCALL (a context
	 * of the caller's choosing). */
	BPFRT_CBPF_SECCOMP = 1,
	/* A socket filter (same context, loads and result) whose packet loads
	 * become explicit bounds-checked loads through __sk_buff.data and
	 * data_end (a miss still returns 0) instead of the legacy
	 * instructions, which engines run out of line.  Direct packet access
	 * is for tc programs: loads as BPF_PROG_TYPE_SCHED_CLS.  Offsets
	 * beyond 64 KiB, which the verifier cannot bound, keep the legacy
	 * loads.  What bpfrt filter runs. */
	BPFRT_CBPF_SOCKET_FILTER_DIRECT = 2,
};

/* The kernel's bpf_check_classic (and, for BPFRT_CBPF_SECCOMP, its
 * seccomp_check_filter): 1..BPF_MAXINSNS instructions, known opcodes,
 * jumps forward and inside the program, the last instruction a RET,
 * scratch memory index below BPF_MEMWORDS, no division or modulo by a
 * constant 0, no shift by a constant >= 32, only known ancillary loads,
 * and no read of a scratch word that some path reaches unwritten.
 * Returns 0 or -EINVAL with diag (may be NULL) filled in. */
BPFRT_API int bpfrt_cbpf_check(const struct sock_filter *prog, uint32_t len,
			       enum bpfrt_cbpf_flavor flavor, struct bpfrt_diag *diag);

/* Check prog (bpfrt_cbpf_check) and translate it to eBPF: A in r0, X in
 * r7, the context in r6, the scratch words M[0..15] on the stack, A and X
 * zeroed first, 32-bit arithmetic and comparisons, packet loads as the
 * legacy BPF_LD|BPF_ABS/BPF_IND instructions.  Ancillary loads
 * (SKF_AD_OFF + SKF_AD_*) become context loads or helper calls; the ones
 * without a user-space meaning (netlink attributes, hardware type,
 * payload offset) and network-header-relative loads (SKF_NET_OFF) are
 * refused with -EOPNOTSUPP.  On success *out (malloc'd, the caller frees)
 * holds *out_cnt instructions.  -EINVAL (check), -E2BIG (a jump too far
 * for eBPF's 16-bit offsets), -ENOMEM. */
BPFRT_API int bpfrt_cbpf_translate(const struct sock_filter *prog, uint32_t len,
				   enum bpfrt_cbpf_flavor flavor, struct bpf_insn **out,
				   uint32_t *out_cnt, struct bpfrt_diag *diag);

/* Options for bpfrt_cbpf_load().  Zero-fill, set .sz, then fields. */
struct bpfrt_cbpf_load_opts {
	size_t sz;
	const char *name;  /* program name (BPF_OBJ_NAME_LEN); NULL: "cbpf" */
	char *log_buf;     /* the verifier's log, as BPF_PROG_LOAD's */
	uint32_t log_size;
	uint32_t log_level;
};

/* Translate prog and load the result through bpfrt_bpf(BPF_PROG_LOAD), so
 * bpfrt's verifier proves it, as BPF_PROG_TYPE_SOCKET_FILTER (socket
 * filters) or BPF_PROG_TYPE_SYSCALL (seccomp).  Returns the program's fd
 * (the caller closes it with bpfrt_close) or a negative errno; a verifier
 * refusal fills diag with its message (diag->insn is then an eBPF index). */
BPFRT_API int bpfrt_cbpf_load(struct bpfrt *rt, const struct sock_filter *prog, uint32_t len,
			      enum bpfrt_cbpf_flavor flavor, const struct bpfrt_cbpf_load_opts *opts,
			      struct bpfrt_diag *diag);

/* ---- Running a socket filter over packets ------------------------------ */

/* A loaded socket filter ready to run on packets, one after another, on
 * the runtime's engine.  Not thread-safe: one per thread. */
struct bpfrt_sock_filter;

/* Packet metadata a filter sees through __sk_buff (zero when unknown). */
struct bpfrt_sock_filter_meta {
	uint32_t ifindex;
	uint32_t pkt_type;  /* PACKET_HOST ... */
	uint32_t mark;
	uint32_t hash;
	bool ethernet;      /* Ethernet frames: __sk_buff.protocol is their EtherType */
};

/* Prepare prog_fd (a BPF_PROG_TYPE_SOCKET_FILTER or SCHED_CLS program, as
 * bpfrt_cbpf_load makes them; -EINVAL for another type, -EBADF for a bad
 * fd) for runs; the JIT image, with the JIT
 * engine, is compiled here.  *out takes a reference to the program; free
 * it with bpfrt_sock_filter_free.  meta may be NULL. */
BPFRT_API int bpfrt_sock_filter_new(struct bpfrt *rt, int prog_fd,
				    const struct bpfrt_sock_filter_meta *meta,
				    struct bpfrt_sock_filter **out);
/* Run the filter on one packet of caplen bytes at pkt (read only), of
 * wire_len bytes on the wire (__sk_buff.len, what cBPF's LEN reads).
 * Returns 0 and
 * the program's result in *ret (bytes to keep, 0 = drop), or a run's
 * negative errno with diag filled. */
BPFRT_API int bpfrt_sock_filter_run(struct bpfrt_sock_filter *f, const void *pkt, uint32_t caplen,
				    uint32_t wire_len, uint32_t *ret, struct bpfrt_diag *diag);
BPFRT_API void bpfrt_sock_filter_free(struct bpfrt_sock_filter *f);

#ifdef __cplusplus
}
#endif
#endif
