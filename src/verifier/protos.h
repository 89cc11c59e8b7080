/* protos.h — helper prototypes as the verifier checks them: one row per
 * helper id (src/verifier/protos.c), with the type each argument must have,
 * what the return value is, and the rules around it (GPL only, which program
 * types may call it, which map types it takes, references it acquires or
 * releases, whether it moves packet data).  The engine (check_call.c) reads
 * only this table; adding a helper to the verifier means adding a row.
 */
#ifndef BPFRT_VERIFIER_PROTOS_H
#define BPFRT_VERIFIER_PROTOS_H

#include <stdbool.h>
#include <stdint.h>

enum vf_arg_type {
	ARG_DONTCARE = 0,         /* argument not used (need not be initialised) */
	ARG_ANYTHING,             /* any initialised value */
	ARG_CONST_MAP_PTR,        /* a map (lddw map_fd) */
	ARG_PTR_TO_MAP_KEY,       /* key_size readable bytes of the map in ARG_CONST_MAP_PTR */
	ARG_PTR_TO_MAP_VALUE,     /* value_size readable bytes of that map */
	ARG_PTR_TO_UNINIT_MAP_VALUE, /* value_size bytes the helper writes (stack becomes initialised) */
	ARG_PTR_TO_MEM,           /* readable memory; size in the next argument */
	ARG_PTR_TO_MEM_OR_NULL,   /* same, or NULL (with size 0) */
	ARG_PTR_TO_UNINIT_MEM,    /* memory the helper writes; size in the next argument */
	ARG_PTR_TO_FIXED_MEM,     /* readable memory of proto->arg_size[i] bytes */
	ARG_PTR_TO_FIXED_UNINIT_MEM, /* written memory of proto->arg_size[i] bytes */
	ARG_CONST_SIZE,           /* size of the previous pointer argument, > 0, bounded */
	ARG_CONST_SIZE_OR_ZERO,   /* same, may be 0 */
	ARG_CONST_ALLOC_SIZE_OR_ZERO, /* size of memory the helper returns: a known constant */
	ARG_PTR_TO_CTX,           /* the program's unmodified context pointer */
	ARG_PTR_TO_CTX_OR_NULL,
	ARG_PTR_TO_LONG,          /* 8 bytes the helper writes */
	ARG_PTR_TO_INT,           /* 4 bytes the helper writes */
	ARG_PTR_TO_CONST_STR,     /* NUL-terminated string in a read-only (frozen/.rodata) map value */
	ARG_PTR_TO_SPIN_LOCK,     /* the bpf_spin_lock inside a map value */
	ARG_PTR_TO_FUNC,          /* a subprogram (lddw PSEUDO_FUNC) called back by the helper */
	ARG_PTR_TO_STACK_OR_NULL, /* a stack pointer handed to the callback, or NULL */
	ARG_PTR_TO_ALLOC_MEM,     /* a ring buffer record from ringbuf_reserve (released) */
	ARG_TYPE_COUNT
};

enum vf_ret_type {
	RET_INTEGER = 0,               /* r0 is an unknown scalar (see ret_min/ret_max) */
	RET_VOID,                      /* r0 is not readable afterwards */
	RET_PTR_TO_MAP_VALUE_OR_NULL,  /* value of the map argument, or NULL */
	RET_PTR_TO_ALLOC_MEM_OR_NULL,  /* ARG_CONST_ALLOC_SIZE_OR_ZERO bytes (a reference), or NULL */
	RET_PTR_TO_MEM_OR_NULL,        /* proto->ret_size readable bytes, or NULL (e.g. per-cpu ptr) */
	RET_TYPE_COUNT
};

enum vf_proto_flags {
	VF_GPL_ONLY = 1u << 0,       /* only for programs with a GPL-compatible license */
	VF_PKT_CHANGED = 1u << 1,    /* may move packet data: every packet pointer is invalidated */
	VF_ACQUIRE = 1u << 2,        /* the returned pointer holds a reference to release */
	VF_RELEASE = 1u << 3,        /* releases the reference of its ARG_PTR_TO_ALLOC_MEM argument */
	VF_TAIL_CALL = 1u << 4,      /* bpf_tail_call: does not return on success */
	VF_CALLBACK = 1u << 5,       /* calls its ARG_PTR_TO_FUNC argument (see callback) */
	VF_SPIN_LOCK = 1u << 6,      /* takes the lock of its ARG_PTR_TO_SPIN_LOCK argument */
	VF_SPIN_UNLOCK = 1u << 7,    /* releases it */
	VF_PRIVILEGED_READ = 1u << 8, /* reads arbitrary process memory (bpf_probe_read_*): tracing types only */
	VF_NO_RETURN_CHECK = 1u << 9,
	VF_PKT_ACCESS = 1u << 10,     /* its memory arguments may be packet pointers (kernel's pkt_access) */
};

/* What a callback receives and may return (bpf_loop, bpf_for_each_map_elem). */
enum vf_callback_kind {
	VF_CB_NONE = 0,
	VF_CB_LOOP,          /* int cb(u32 index, void *ctx): r1 scalar, r2 = the helper's ctx arg */
	VF_CB_FOR_EACH_MAP,  /* long cb(map, key *, value *, ctx): key/value of the map argument */
};

struct vf_helper_proto {
	const char *name;      /* "bpf_map_lookup_elem"; NULL: no prototype (helper unknown) */
	uint8_t ret;           /* enum vf_ret_type */
	uint8_t args[5];       /* enum vf_arg_type, r1..r5 */
	uint16_t arg_size[5];  /* for ARG_PTR_TO_FIXED_(UNINIT_)MEM */
	uint32_t ret_size;     /* for RET_PTR_TO_MEM_OR_NULL */
	int64_t ret_min, ret_max; /* RET_INTEGER range when not the full range (ret_min > ret_max: unknown) */
	uint32_t flags;        /* enum vf_proto_flags */
	uint8_t callback;      /* enum vf_callback_kind */
	uint64_t map_types;    /* bit per BPF_MAP_TYPE_* its map argument may be; 0: not checked here */
	uint64_t prog_types;   /* bit per BPF_PROG_TYPE_* that may call it; 0: every type */
};

/* The prototype of helper id, or NULL when the verifier knows none. */
const struct vf_helper_proto *vf_helper_proto(uint32_t id);

/* May a program pass a map of map_type to helper id?  (The kernel's
 * check_map_func_compatibility, both directions: prog arrays only to
 * tail calls, ring buffers only to ringbuf helpers, ...). */
bool vf_map_helper_ok(uint32_t map_type, uint32_t helper_id);

#endif
