/* state.h — the verifier's abstract machine state and the environment of
 * one verification.
 *
 * A state is what is known at one instruction on one path: per frame (the
 * main program and each bpf-to-bpf call in progress) eleven registers and
 * the frame's stack, 8-byte slots with a per-byte kind; plus the references
 * the program holds (ring buffer records) and the spin lock it holds.  A
 * register is a type (scalar, or a pointer of some kind), a fixed offset
 * and, for scalars and variable pointer offsets, a struct scalar.  The
 * engine (verifier.c) walks paths depth first, keeping copies of states at
 * prune points (prune.c) to cut paths already proven safe.
 */
#ifndef BPFRT_VERIFIER_STATE_H
#define BPFRT_VERIFIER_STATE_H

#include "bpfrt/isa.h"
#include "verifier/ctx_table.h"
#include "verifier/protos.h"
#include "verifier/scalar.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#define VF_MAX_REGS 11
#define VF_MAX_FRAMES 8              /* MAX_CALL_FRAMES */
#define VF_STACK_SIZE 512            /* MAX_BPF_STACK, per frame and combined */
#define VF_STACK_SLOTS (VF_STACK_SIZE / 8)
#define VF_INSN_LIMIT 1000000        /* BPF_COMPLEXITY_LIMIT_INSNS */
#define VF_MAX_REFS 64
#define VF_MAX_PKT_OFF 0xffff        /* MAX_PACKET_OFF */
#define VF_MAX_VAR_OFF (1 << 29)     /* BPF_MAX_VAR_OFF */

enum vf_reg_type {
	NOT_INIT = 0,
	SCALAR_VALUE,
	PTR_TO_CTX,
	CONST_PTR_TO_MAP,
	PTR_TO_MAP_VALUE,
	PTR_TO_MAP_KEY,      /* keys handed to for_each_map_elem callbacks */
	PTR_TO_STACK,
	PTR_TO_PACKET_META,
	PTR_TO_PACKET,
	PTR_TO_PACKET_END,
	PTR_TO_MEM,          /* mem_size bytes: ring buffer records, helper memory */
	PTR_TO_FUNC,         /* a subprogram, for callbacks */
	VF_REG_TYPE_COUNT
};

/* Flags on top of the type. */
enum vf_reg_flags {
	PTR_MAYBE_NULL = 1u << 0,
	MEM_RDONLY = 1u << 1,    /* read-only memory (frozen map values, .rodata) */
};

/* What the verifier knows about a map a register points at. */
struct vf_map {
	uint32_t type, key_size, value_size, max_entries, flags;
	int32_t spin_lock_off;   /* -1: none */
	bool rdonly_prog;        /* BPF_F_RDONLY_PROG or frozen: programs may not write values */
	bool wronly_prog;
	uint64_t addr;           /* the map object (as lddw holds it), 0 for an inner map's template */
	const char *name;
	const void *value_data;  /* frozen arrays: the value at key 0 (constant strings) */
	bool frozen;
	struct vf_map *inner;    /* map-in-map: the template inner maps have */
};

struct vf_reg {
	uint8_t type;            /* enum vf_reg_type */
	uint8_t flags;           /* enum vf_reg_flags */
	uint8_t frameno;         /* PTR_TO_STACK: whose frame */
	uint8_t precise;         /* scalars: some check on this path relied on the value (precise.c) */
	int32_t off;             /* pointers: fixed offset */
	uint32_t id;             /* copies share it: null checks, packet ranges, scalar links */
	uint32_t ref_obj_id;     /* the reference it holds, 0: none */
	uint32_t range;          /* packet pointers: bytes proven readable from off; PTR_TO_MEM: size */
	uint32_t subprog;        /* PTR_TO_FUNC: target instruction */
	const struct vf_map *map; /* CONST_PTR_TO_MAP, PTR_TO_MAP_VALUE/KEY */
	struct scalar s;         /* scalars: the value; pointers: the variable offset */
};

/* Per-byte kinds of a stack slot (STACK_* in the kernel). */
enum vf_slot_kind {
	STACK_INVALID = 0, /* never written on this path */
	STACK_MISC,        /* written with unknown data */
	STACK_ZERO,        /* known zero */
	STACK_SPILL,       /* part of a spilled register (whole 8-byte slot, or a 32-bit scalar spill) */
};

struct vf_slot {
	uint8_t kind[8];    /* per byte, byte 0 = lowest address of the slot */
	struct vf_reg spilled; /* when kind[] holds STACK_SPILL */
};

struct vf_frame {
	struct vf_reg regs[VF_MAX_REGS];
	struct vf_slot *stack;   /* slot i covers fp-8*(i+1) .. fp-8*i-1; nslots of them */
	uint32_t nslots;         /* slots allocated (grown on writes); slots past it are never written */
	uint32_t depth;          /* bytes of stack used (deepest access), rounded to 8 */
	uint32_t callsite;       /* caller's call instruction (frames > 0) */
	uint32_t subprog;        /* index in env->subprogs */
	uint32_t frameno;
	/* Callbacks: what the callee returns to, and the return range to enforce. */
	bool in_callback;
	int64_t cb_ret_min, cb_ret_max;
	uint32_t cb_helper;      /* helper that calls this callback */
	uint32_t cb_nr_refs;     /* references held when it was entered (it must not leak) */
	struct vf_reg cb_args[6]; /* r1..r5 it was entered with (re-entry for the next iteration) */
};

/* One executed instruction in a state's history.  Loads and stores of the
 * current frame's stack at a fixed offset record the slot, so that
 * backtracking follows values through spills and fills. */
struct vf_hist {
	uint32_t idx;
	uint8_t flags;           /* VF_H_* */
	uint8_t slot;            /* VF_H_SLOT: slot index in the current frame */
	uint16_t pad;
};
#define VF_H_SLOT 0x01       /* fixed-offset access to the current frame's slot `slot` */
#define VF_H_SLOT_LOW 0x02   /* ... starting at the slot's lowest byte (a store defines the spill) */
#define VF_H_OTHER_FRAME 0x04 /* fixed-offset access to another frame's stack */

struct vf_ref {
	uint32_t id;
	uint32_t insn;           /* where it was acquired (for the leak message) */
};

struct vf_state {
	struct vf_frame *frames[VF_MAX_FRAMES];
	uint32_t curframe;
	uint32_t nr_refs;
	struct vf_ref refs[VF_MAX_REFS];
	uint32_t lock_id;        /* id of the map value whose spin lock is held, 0: none */
	const struct vf_map *lock_map;
	int32_t lock_off;
	/* Exploration bookkeeping (prune.c). */
	struct vf_state *parent; /* nearest checkpoint on this path */
	uint32_t branches;       /* paths still being explored below this checkpoint */
	uint32_t insn_idx;
	uint32_t last_insn;      /* previous instruction (for the log) */
	uint64_t loop_seen;      /* processed count when stored (loop progress heuristic) */
	uint32_t miss, hit;      /* checkpoints: comparisons that failed / pruned a path */
	/* Instructions executed since the parent checkpoint, in order, for
	 * precision backtracking (precise.c); hist_lost: older entries were
	 * dropped (the segment grew past VF_HIST_MAX), so a demand reaching
	 * past them falls back to marking everything. */
	struct vf_hist *hist;
	uint32_t nhist, cap_hist;
	bool hist_lost;
	/* Checkpoints: every scalar here and in every checkpoint above is
	 * already precise (a repeated fallback stops at the first such). */
	bool all_precise;
};

struct vf_subprog {
	uint32_t start;          /* first instruction */
	uint32_t end;            /* one past the last */
	uint32_t stack_depth;    /* deepest stack use seen, rounded to 8 */
	bool is_callback;
	bool has_ld_abs;
	bool has_tail_call;
};

/* A pending path: the state at an instruction still to explore. */
struct vf_pending {
	struct vf_state *st;
	uint32_t insn;
	uint32_t prev_insn;
};

/* Explored states kept at one prune point. */
struct vf_state_list {
	struct vf_state **v;
	uint32_t n, cap;
	uint32_t miss, hit;
};

/* Per-instruction facts collected during verification, used afterwards. */
struct vf_insn_aux {
	bool seen;
	bool prune_point;
	bool jmp_target;
	bool zext_dst;           /* a 32-bit result whose upper half is read (JIT hint) */
	uint8_t ptr_type;        /* memory instructions: base pointer type seen (ctx rewriting) */
	uint8_t ctx_pkt;         /* a ctx load of a packet pointer field: enum vf_ctx_kind (rewritten) */
	bool ptr_type_mixed;     /* the same instruction saw two different base types */
	uint16_t live_in;        /* registers read before written from here (static liveness) */
	const struct vf_map *map; /* lddw map references */
};

struct vf_env {
	/* Input */
	const struct bpf_insn *insns;
	uint32_t cnt;
	uint32_t prog_type;
	bool gpl;
	const struct vf_ctx_desc *ctx;
	/* Maps named by lddw instructions (resolved by the caller). */
	struct vf_map *maps;
	uint32_t nr_maps;
	/* Source lines (BTF line info), optional. */
	const struct bpfrt_verifier_line *lines;
	uint32_t nr_lines;
	/* Subprograms */
	struct vf_subprog *subprogs;
	uint32_t nr_subprogs;
	/* Exploration */
	struct vf_insn_aux *aux;
	struct vf_state_list *explored; /* per instruction (prune points only) */
	struct vf_pending *stack;
	uint32_t nr_pending, cap_pending;
	struct vf_state *cur;
	uint32_t insn_idx, prev_insn_idx;
	uint64_t insn_processed;
	uint64_t jmps_processed;       /* jump instructions processed */
	uint64_t prev_insn_processed, prev_jmps_processed; /* at the last checkpoint added */
	struct vf_state **detached;    /* evicted checkpoints still above live paths (prune.c) */
	uint32_t nr_detached, cap_detached;
	uint32_t peak_states, total_states;
	uint32_t id_gen;
	bool pkt_changed_seen;
	bool in_insn;            /* inside do_insn: the history's last entry is this instruction */
	/* Log */
	uint32_t log_level;
	char *log_buf;
	uint32_t log_size, log_len;
	bool log_truncated;
	/* The first error */
	int err;
	int32_t err_insn;
	char err_msg[512];
	char err_hint[512];
	char err_regs[512];
};

/* ---- state.c -------------------------------------------------------- */
struct vf_state *vf_state_new(void);
void vf_state_free(struct vf_state *st);
/* Deep copy (frames 0..curframe); NULL on allocation failure. */
struct vf_state *vf_state_copy(const struct vf_state *src);
struct vf_frame *vf_frame_new(uint32_t frameno, uint32_t callsite, uint32_t subprog);
void vf_frame_free(struct vf_frame *f);
/* Slot s of frame f to read: an empty (never written) slot past nslots. */
const struct vf_slot *vf_slot_peek(const struct vf_frame *f, uint32_t s);
/* Slot s of frame f to write (grown as needed); NULL on allocation failure. */
struct vf_slot *vf_slot_get(struct vf_frame *f, uint32_t s);
static inline struct vf_frame *vf_cur_frame(struct vf_state *st) { return st->frames[st->curframe]; }
static inline struct vf_reg *vf_cur_regs(struct vf_state *st) { return st->frames[st->curframe]->regs; }

void vf_mark_not_init(struct vf_reg *r);
void vf_mark_unknown(struct vf_reg *r);
void vf_mark_const(struct vf_reg *r, uint64_t v);
bool vf_reg_is_pkt(const struct vf_reg *r);
bool vf_reg_is_pointer(const struct vf_reg *r);
bool vf_reg_is_null_const(const struct vf_reg *r);
const char *vf_reg_type_name(const struct vf_reg *r);
/* Kernel-style text of a register: "pkt(off=14,r=34)", "scalar(umax=255)". */
int vf_reg_print(char *buf, size_t len, const struct vf_reg *r);

uint32_t vf_subprog_of(const struct vf_env *env, uint32_t insn);
/* Push a frame for a call at callsite into the subprogram at target (r1-r5
 * copied unless callback: the caller sets them). */
int vf_enter_frame(struct vf_env *env, uint32_t callsite, uint32_t target, bool callback);
/* A callback's exit: back to the instruction after the helper call. */
/* Queue a path to explore later (takes st; counts it on its checkpoint). */
int vf_push_pending(struct vf_env *env, uint32_t insn, struct vf_state *st);
int vf_callback_return(struct vf_env *env, uint32_t idx, uint32_t *next);
int vf_check_ld_imm64(struct vf_env *env, const struct bpf_insn *insn, uint32_t idx);

/* ---- prune.c -------------------------------------------------------- */
/* At a prune point: 1 if the current state is covered by a checkpoint already
 * proven safe (the path may stop), 0 if not (a checkpoint was added), or a
 * negative errno (an infinite loop was found: error set). */
int vf_is_state_visited(struct vf_env *env, uint32_t insn);
/* The current path ended: release its hold on the checkpoints above it. */
void vf_path_done(struct vf_env *env, struct vf_state *st);

/* ---- precise.c -------------------------------------------------------- */
/* Precision tracking (the kernel's mark_chain_precision): with 0 every
 * scalar counts as precise in pruning, the conservative behaviour. */
#define VF_PRECISION 1
#define VF_HIST_MAX 256      /* history entries one state segment keeps */
#define VF_BT_BUDGET 4096    /* history entries one demand may walk before falling back */
/* Record insn in the current path's history. */
int vf_hist_push(struct vf_env *env, uint32_t insn);
/* The current instruction accessed the stack of frame frameno at
 * [lo, lo + size) (fp-relative; fixed: a constant offset): recorded in its
 * history entry. */
void vf_hist_stack(struct vf_env *env, uint32_t frameno, bool fixed, int64_t lo);
/* Some check relied on the exact values of the scalars in regmask and the
 * spilled scalars in slotmask (current frame): backtracking through the
 * path, mark the registers and slots they came from precise in every
 * checkpoint above (the current state itself is never marked). */
void vf_mark_precise_mask(struct vf_env *env, uint16_t regmask, uint64_t slotmask);
static inline void vf_mark_precise(struct vf_env *env, uint16_t regmask)
{
	vf_mark_precise_mask(env, regmask, 0);
}
/* Mark every scalar (registers and spills, all frames) of every checkpoint
 * above the current state precise: the conservative answer. */
void vf_mark_all_precise(struct vf_env *env);

/* ---- log.c ---------------------------------------------------------- */
void vf_log(struct vf_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Record the error (first one wins) and log it.  Returns -EACCES or err. */
int vf_error(struct vf_env *env, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A how-to-fix sentence for the summary. */
void vf_hint(struct vf_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Remember the register state that matters for the summary. */
void vf_note_reg(struct vf_env *env, uint32_t regno, const struct vf_reg *r);
void vf_log_state(struct vf_env *env, const struct vf_state *st);
int32_t vf_insn_line(const struct vf_env *env, uint32_t insn, const char **file, const char **text);

/* ---- check_*.c: one instruction each ---------------------------------- */
int vf_check_alu(struct vf_env *env, const struct bpf_insn *insn);
int vf_check_mem(struct vf_env *env, const struct bpf_insn *insn, uint32_t idx);
int vf_check_atomic(struct vf_env *env, const struct bpf_insn *insn, uint32_t idx);
int vf_check_ld_abs(struct vf_env *env, const struct bpf_insn *insn);
int vf_check_helper_call(struct vf_env *env, const struct bpf_insn *insn, uint32_t idx, uint32_t *next);
/* Access size bytes at regs[regno] + off: the memory rules per pointer type.
 * value_regno >= 0: the register loaded into (reads) or stored (writes);
 * -1: a helper's access (reads need initialised bytes, writes initialise). */
int vf_check_mem_access(struct vf_env *env, uint32_t regno, int32_t off, uint32_t size, bool write,
			int value_regno, bool sign_ext, const char *what);
/* A helper reads (or writes) a variable number of bytes at reg: size is the
 * register holding the size. */
int vf_check_helper_mem(struct vf_env *env, uint32_t regno, const struct vf_reg *size_reg, bool zero_ok,
			bool write, const char *what);
/* Packet pointers may have moved: forget them all (bpf_xdp_adjust_head...). */
void vf_clear_pkt_pointers(struct vf_env *env);
/* Is regno's fixed-size access of size bytes at off safe?  Same as
 * vf_check_mem_access without a destination register. */
uint32_t vf_new_id(struct vf_env *env);
/* Ids: give every copy of a maybe-null pointer its outcome. */
void vf_mark_ptr_or_null_regs(struct vf_env *env, struct vf_state *st, uint32_t id, bool is_null);
/* After "if pkt_reg < pkt_end": every packet pointer with the same id gets
 * the proven range. */
void vf_find_good_pkt_pointers(struct vf_state *st, const struct vf_reg *dst, uint8_t type, bool range_right_open);
int vf_acquire_ref(struct vf_env *env, uint32_t insn);
int vf_release_ref(struct vf_env *env, uint32_t ref_obj_id);
/* Read of a register as a source operand: must be initialised. */
int vf_check_reg_read(struct vf_env *env, uint32_t regno);
int vf_check_reg_write(struct vf_env *env, uint32_t regno);

/* ---- the entry point ---------------------------------------------------- */
#include "verifier/verifier.h"

#endif
