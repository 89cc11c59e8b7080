/* jit.h — the x86-64 JIT's internal interface: compiled images cached in
 * struct bpfrt_vm_prog, and the run entry bpfrt_vm_run uses for
 * BPFRT_RUN_JIT.  Implemented in x86_64.c (lowering, image) and run.c.
 *
 * An image is immutable once published (prog->jit, set once by CAS), so
 * concurrent runs share it without locks.
 */
#ifndef BPFRT_JIT_JIT_H
#define BPFRT_JIT_JIT_H

#include "vm/vm.h"

#include <stddef.h>
#include <stdint.h>

struct jit_image {
	uint8_t *mem;          /* RX code, NULL when compilation failed */
	size_t size, map_size; /* code bytes, mapped bytes */
	uint32_t cnt;          /* eBPF slots */
	uint32_t *addrs;       /* native offset of each slot (cnt + 1 entries) */
	uint32_t entry_off;    /* int entry(struct jit_ctx *, const uint64_t regs[11], uintptr_t r10) */
	uint32_t passes;       /* emission passes until the size converged */
	uint64_t compile_ns;   /* bpfrt_jit_compile's duration */
	const struct bpfrt_vm_prog *prog;
	char reason[160];      /* why compilation failed */
};

/* Run-time state for one JIT run; r12 points at it while the code runs. */
struct jit_ctx {
	uint64_t saved_rsp;       /* rsp at the entry's call, restored on an abort */
	struct bpfrt_run *run;    /* the 6th helper argument */
	uint64_t r0;              /* r0 at exit (or 0 after a missed packet load) */
	uint64_t stack_lo;        /* lowest frame's bottom: call depth limit */
	uint64_t val;             /* value for the fault message (callx target) */
	const struct jit_image *cur; /* image of run->prog */
	int32_t kind;             /* enum jit_fault after an abort */
	int32_t idx;              /* faulting slot */
	uint32_t tail_calls;
	uint8_t callx_helper;     /* jit_callx_resolve: the target is a helper */
	uint8_t pkt_miss;         /* jit_ld_pkt: out of bounds */
};

enum jit_fault {
	JIT_F_NONE,
	JIT_F_FELL,     /* a slot that is not an instruction */
	JIT_F_HELPER,   /* call to an unregistered helper */
	JIT_F_DEPTH,    /* too many frames */
	JIT_F_CALLX,    /* callx to neither a function nor a helper */
	JIT_F_CB_ERR,   /* a callback run by a helper faulted (run->cb_err) */
	JIT_F_PKT_MISS, /* legacy packet load out of bounds: exit with r0 = 0 */
	JIT_F_TAIL,     /* a tail call's target could not be compiled */
};

/* Compile prog (never returns NULL; check ->mem).  bpfrt_jit_free frees. */
struct jit_image *bpfrt_jit_compile(const struct bpfrt_vm_prog *prog);
void bpfrt_jit_free(struct jit_image *img);

/* The cached image of prog, compiled on first use (thread-safe). */
const struct jit_image *bpfrt_jit_get(const struct bpfrt_vm_prog *prog);

/* Run prog on the JIT: like the interpreter loop (regs[1..5] initial
 * arguments).  Returns BPFRT_JIT_FALLBACK when the program cannot be
 * compiled (its reason logged once with $BPFRT_JIT_LOG set, and available
 * from bpfrt_jit_status); the caller then interprets. */
#define BPFRT_JIT_FALLBACK 1
int bpfrt_jit_run(const struct bpfrt_vm_prog *prog, struct bpfrt_run *run, uint64_t regs[11],
		  uint64_t *r0, struct bpfrt_diag *diag);

/* 1 when prog has a compiled image, 0 when compilation failed (reason set),
 * -1 when it was never compiled. */
int bpfrt_jit_status(const struct bpfrt_vm_prog *prog, const char **reason);

/* For each slot of prog: the index in its owner's maps[] of the map r1
 * holds whenever that slot, a helper call, runs; JIT_MAP_UNKNOWN where
 * it may hold anything else, and at every other slot (map_consts.c).
 * A malloc'd array of prog->cnt bytes, or NULL: no facts at all. */
#define JIT_MAP_UNKNOWN 0xfe
uint8_t *bpfrt_jit_map_consts(const struct bpfrt_vm_prog *prog);

/* Out-of-line operations the generated code calls (run.c). */
uintptr_t bpfrt_jit_tail_call(struct jit_ctx *c, uint64_t r2, uint64_t r3);
uintptr_t bpfrt_jit_callx_resolve(struct jit_ctx *c, uint64_t target, uint32_t idx);
uint64_t bpfrt_jit_ld_pkt(struct jit_ctx *c, uint64_t src, int32_t imm, uint32_t mode);

#endif
