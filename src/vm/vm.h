/* vm.h — the interpreter's internal program form and run state.
 *
 * A program is pre-decoded once (prog.c) into vm_insn slots, one per
 * bpf_insn slot so jump offsets keep their meaning; each slot carries the
 * opcode-table row it belongs to, so the loop dispatches on the row, not the
 * raw byte, and variants (div/sdiv, mov/movsx) need no test at run time.
 */
#ifndef BPFRT_VM_VM_H
#define BPFRT_VM_VM_H

#include "core/runtime.h"

/* Internal operations past the table rows. */
enum vm_op_extra {
	VM_OP_LDDW_FUNC = BPFRT_OP_COUNT, /* dst = address of a subprogram (BPF_PSEUDO_FUNC) */
	VM_OP_LDDW_HI,                    /* second slot of an lddw: never executed */
	VM_OP_TAIL_CALL,                  /* call bpf_tail_call (helper 12) */
	VM_OP_FELL_OFF,                   /* sentinel after the last slot */
	VM_OP_COUNT
};

struct vm_insn {
	uint16_t op; /* enum bpfrt_op or enum vm_op_extra */
	uint8_t dst;
	uint8_t src;
	int16_t off;
	int32_t imm;
};

struct jit_image;

struct bpfrt_vm_prog {
	struct bpfrt *rt;
	char *name;
	uint32_t cnt;        /* slots, without the sentinel */
	struct vm_insn *insns; /* cnt + 1 slots; the last is VM_OP_FELL_OFF */
	struct bpf_insn *orig; /* the instructions as given */
	void *owner;           /* the runtime program object (core/prog.h), or NULL */
	struct jit_image *jit; /* native code, compiled on the first JIT run (jit/jit.h) */
};

#define VM_MAX_REGIONS 32
#define VM_MAX_EXIT_HOOKS 16

/* A function to call when a run ends (bpfrt_run_on_exit). */
struct vm_exit_hook {
	void (*fn)(void *arg);
	void *arg;
};

struct bpfrt_run {
	struct bpfrt *rt;
	const struct bpfrt_run_opts *opts;
	bool checked;
	const struct bpfrt_vm_prog *prog; /* the running program (changes on tail calls) */
	uintptr_t stack_lo, stack_hi; /* all frames' stack; set by the loop */
	uint32_t cb_depth;            /* nested callbacks (bpf_loop...) */
	struct bpfrt_diag *diag;      /* where a fault inside a callback is told */
	int cb_err;                   /* first fault inside a callback */
	uint32_t nr_regions;
	uint32_t nr_exit_hooks;
	/* The tables last: a run clears everything before them
	 * (bpfrt_vm_run) and reads them only up to their counts, so the 1.4
	 * KiB they take is not written for every packet. */
	struct bpfrt_region regions[VM_MAX_REGIONS];
	struct vm_exit_hook exit_hooks[VM_MAX_EXIT_HOOKS];
};

/* The two loops built from interp_loop.h. */
int bpfrt_vm_loop_fast(const struct bpfrt_vm_prog *prog, const struct vm_insn *start,
		       struct bpfrt_run *run, uint64_t *regs, uint64_t *r0, struct bpfrt_diag *diag);
int bpfrt_vm_loop_budget(const struct bpfrt_vm_prog *prog, const struct vm_insn *start,
			 struct bpfrt_run *run, uint64_t *regs, uint64_t *r0, struct bpfrt_diag *diag);
int bpfrt_vm_loop_checked(const struct bpfrt_vm_prog *prog, const struct vm_insn *start,
			  struct bpfrt_run *run, uint64_t *regs, uint64_t *r0, struct bpfrt_diag *diag);

#endif
