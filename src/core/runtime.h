/* runtime.h — the inside of struct bpfrt, shared by the subsystems.
 *
 * Everything mutable that bpfrt has lives in this handle; there is no other
 * global state (the opcode index in isa/ is immutable after first use).
 */
#ifndef BPFRT_CORE_RUNTIME_H
#define BPFRT_CORE_RUNTIME_H

#include "bpfrt/bpfrt.h"
#include "core/object.h"

#include <pthread.h>

#define BPFRT_MAX_FDS (1u << 20)

struct bpfrt_id_table {
	struct bpfrt_obj **objs; /* objs[id - 1]; NULL once the object is gone */
	uint32_t len, cap;
};

struct bpfrt_helper {
	bpfrt_helper_fn fn;
	char *name;
};

struct bpfrt {
	struct bpfrt_helper helpers[BPFRT_MAX_HELPERS];
	uint64_t alloc_count;    /* allocations made through bpfrt_alloc */
	uint64_t fail_alloc_nth; /* testing: fail this allocation (0: never) */
	pthread_mutex_t lock;    /* guards ids, links, deferred puts */
	/* Guards fds/fd_cap: every bpf() command on an fd reads the table, so
	 * lookups share it (a read lock) and threads' map syscalls don't
	 * serialise; install and close write it.  Taken before lock, never
	 * inside it. */
	pthread_rwlock_t fd_lock;
	struct bpfrt_obj **fds;  /* fd -> object (one reference each) */
	uint32_t fd_cap;
	struct bpfrt_id_table ids[BPFRT_OBJ_TYPE_COUNT];
	struct bpfrt_obj **deferred; /* bpfrt_defer_put: references dropped at bpfrt_free */
	uint32_t nr_deferred, cap_deferred;
	void *links;             /* struct bpfrt_link list (core/link.c), under lock */
	char *pin_root;          /* where shared map storage is created; pins live on its filesystem */
	int trace_fds[2];        /* trace pipe (read, write end), valid once trace_ready */
	int trace_ready;         /* atomic: the trace pipe exists (helpers/trace.c) */
	bool trace_stderr;       /* mirror trace lines to stderr ($BPFRT_TRACE=stderr) */
	enum bpfrt_engine engine; /* of test runs and hooks; set at bpfrt_new, never DEFAULT */
};

/* Allocation through the runtime, so tests can inject failures. */
void *bpfrt_alloc(struct bpfrt *rt, size_t size);
void *bpfrt_zalloc(struct bpfrt *rt, size_t size);

/* The run flags of rt's engine (BPFRT_RUN_JIT, BPFRT_RUN_CHECKED or 0). */
uint32_t bpfrt_engine_run_flags(const struct bpfrt *rt);

/* Default helper sets, registered by bpfrt_new(). */
void bpfrt_helpers_register_defaults(struct bpfrt *rt);
void bpfrt_helpers_register_maps(struct bpfrt *rt);
void bpfrt_helpers_register_trace(struct bpfrt *rt);
void bpfrt_helpers_register_strings(struct bpfrt *rt);
void bpfrt_helpers_register_current(struct bpfrt *rt);
void bpfrt_helpers_register_checksum(struct bpfrt *rt);
void bpfrt_helpers_register_probe(struct bpfrt *rt);
void bpfrt_helpers_register_callbacks(struct bpfrt *rt);
void bpfrt_helpers_register_packet(struct bpfrt *rt);
/* The built-in implementation of map helper id (map lookup/update/delete,
 * the ones the JIT lowers itself when it knows the map), NULL for other
 * ids.  The JIT specialises a call only while rt->helpers[id].fn is still
 * this function (an embedder may have registered its own). */
bpfrt_helper_fn bpfrt_helpers_map_builtin(uint32_t id);
/* Close the trace pipe, if open (bpfrt_free). */
void bpfrt_trace_pipe_close(struct bpfrt *rt);

#endif
