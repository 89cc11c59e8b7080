/* bpfrt/bpfrt.h — the bpfrt runtime: an eBPF system in user space.
 *
 * A runtime is an explicit handle (struct bpfrt), like lua_State: several may
 * live in one process and nothing is shared between them.  This header holds
 * the handle, helper registration and the execution API; bpfrt/isa.h holds
 * the instruction set.  Errors: functions return a negative errno (and set
 * errno), libbpf 1.0 style; where a place in a program is involved they also
 * fill a struct bpfrt_diag naming the instruction.
 *
 * Thread safety: a struct bpfrt_vm_prog is immutable after creation and may be
 * run by several threads at once; helper registration must happen before
 * programs run.
 */
#ifndef BPFRT_BPFRT_H
#define BPFRT_BPFRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpfrt/isa.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BPFRT_VERSION_MAJOR 0
#define BPFRT_VERSION_MINOR 1

/* Stack bytes per call frame (the kernel's MAX_BPF_STACK). */
#define BPFRT_STACK_SIZE 512
/* Call frames the interpreter supports (main program included). */
#define BPFRT_MAX_FRAMES 16
/* Helper ids a runtime can hold (the kernel's are below 256). */
#define BPFRT_MAX_HELPERS 1024
/* Chained tail calls allowed in one run (the kernel's MAX_TAIL_CALL_CNT). */
#define BPFRT_MAX_TAIL_CALLS 33
/* BPF_PROG_LOAD prog_flags bit (bpfrt's own): load without the verifier,
 * for tests of helpers and of the instruction set on programs no verifier
 * would accept.  Its test runs get an instruction budget
 * (BPFRT_UNVERIFIED_INSN_LIMIT): an endless loop stops with -ELOOP and a
 * message.  Nothing proves its memory accesses safe: load only programs
 * you trust, or run them with BPFRT_RUN_CHECKED. */
#define BPFRT_F_UNVERIFIED (1u << 30)
#define BPFRT_UNVERIFIED_INSN_LIMIT (1ull << 26)

struct bpfrt;
struct bpfrt_run;
struct bpfrt_task;
struct bpfrt_vm_prog;

/* Options for bpfrt_new().  Zero-fill, set .sz = sizeof(struct bpfrt_opts),
 * then set fields (libbpf's opts convention; new fields go at the end). */
struct bpfrt_opts {
	size_t sz;
	/* Testing aid: make the Nth allocation made through the runtime fail
	 * (1 = the first).  0 disables. */
	uint64_t fail_alloc_nth;
	/* Directory for shared map storage and the default place of pins (the
	 * role bpffs plays); pins must be on its filesystem.  NULL: the
	 * $BPFRT_PIN_ROOT environment variable, else /run/bpfrt as root and
	 * /tmp/bpfrt-UID otherwise.  Created on first use, mode 0700. */
	const char *pin_root;
	/* The engine of the runtime's program runs (BPF_PROG_TEST_RUN, hooks);
	 * BPFRT_ENGINE_DEFAULT: $BPFRT_ENGINE (jit, interp or checked), else the
	 * JIT.  Programs loaded with BPFRT_F_UNVERIFIED always interpret, with
	 * an instruction budget. */
	uint32_t engine; /* enum bpfrt_engine */
};

enum bpfrt_engine {
	BPFRT_ENGINE_DEFAULT = 0,
	BPFRT_ENGINE_JIT,     /* native code from the x86-64 JIT (interpreter where it can't compile) */
	BPFRT_ENGINE_INTERP,  /* the interpreter */
	BPFRT_ENGINE_CHECKED, /* the bounds-checked interpreter */
};

/* Create a runtime with the default helpers registered.  opts may be NULL.
 * Returns NULL and sets errno on failure.  Free with bpfrt_free(). */
BPFRT_API struct bpfrt *bpfrt_new(const struct bpfrt_opts *opts);
BPFRT_API void bpfrt_free(struct bpfrt *rt);

/* The runtime's pin root (see struct bpfrt_opts). */
BPFRT_API const char *bpfrt_pin_root(const struct bpfrt *rt);
/* The engine the runtime's program runs use (never BPFRT_ENGINE_DEFAULT). */
BPFRT_API enum bpfrt_engine bpfrt_engine(const struct bpfrt *rt);
/* "jit", "interp", "checked" <-> enum bpfrt_engine; parse returns -EINVAL
 * for anything else, name returns NULL for an unknown value. */
BPFRT_API int bpfrt_engine_parse(const char *name);
BPFRT_API const char *bpfrt_engine_name(enum bpfrt_engine engine);
/* bpfrt_vm_prog_jited for the program behind prog_fd (the image lives as
 * long as the program); -EBADF/-EINVAL for an fd that is not a program. */
struct bpfrt_jited;
BPFRT_API int bpfrt_prog_jited(struct bpfrt *rt, int prog_fd, bool compile, struct bpfrt_jited *out);

/* The bpf(2) system call, in user space: same commands, same union bpf_attr
 * fields, same errno values.  Returns >= 0 (an fd for commands that create
 * one) or a negative errno, also stored in errno.  Fields of attr past the
 * command's last field must be zero (-EINVAL); bytes of attr past the size
 * bpfrt knows must be zero (-E2BIG).  Thread-safe. */
BPFRT_API int bpfrt_bpf(struct bpfrt *rt, int cmd, union bpf_attr *attr, unsigned int size);

/* Close an fd returned by bpfrt_bpf().  -EBADF if it is not open. */
BPFRT_API int bpfrt_close(struct bpfrt *rt, int fd);

/* A helper receives r1..r5 and the running program's state; its return
 * value becomes r0.  It must not retain `run` after returning. */
typedef uint64_t (*bpfrt_helper_fn)(uint64_t r1, uint64_t r2, uint64_t r3, uint64_t r4,
				    uint64_t r5, struct bpfrt_run *run);

/* Register (or replace, or with fn == NULL remove) helper `id`.  name is
 * copied.  -EINVAL if id >= BPFRT_MAX_HELPERS. */
BPFRT_API int bpfrt_register_helper(struct bpfrt *rt, uint32_t id, const char *name,
				    bpfrt_helper_fn fn);
/* Name of helper id, or NULL when none is registered. */
BPFRT_API const char *bpfrt_helper_name(const struct bpfrt *rt, uint32_t id);

/* The runtime's trace pipe, where bpf_trace_printk/bpf_trace_vprintk write
 * (the user-space /sys/kernel/tracing/trace_pipe): the read end of a
 * non-blocking pipe, created on first use and owned by the runtime (do not
 * close it; bpfrt_free() does).  One line per message, formatted like the
 * kernel's: "<comm>-<tid> [<cpu>] ..... <sec>.<usec>: bpf_trace_printk: <text>".
 * Lines are dropped while the pipe is full.  With $BPFRT_TRACE=stderr at
 * bpfrt_new() time, lines are also written to stderr.  Negative errno on
 * failure.  Thread-safe. */
BPFRT_API int bpfrt_trace_pipe_fd(struct bpfrt *rt);

/* ---- Executable programs (the interpreter) ---------------------------- */

/* Options for bpfrt_vm_prog_new(). */
struct bpfrt_vm_opts {
	size_t sz;
	const char *name; /* for messages; copied */
};

/* Check and prepare insns for execution.  insns is copied.  Rejects what
 * bpfrt_insns_check() rejects, calls to helpers the runtime lacks, kfunc
 * calls and lddw pseudo kinds other than plain 64-bit immediates and
 * function addresses (BPF_PSEUDO_FUNC).  On success *out owns a program,
 * freed with bpfrt_vm_prog_free(); rt must outlive it. */
BPFRT_API int bpfrt_vm_prog_new(struct bpfrt *rt, const struct bpf_insn *insns, uint32_t cnt,
				const struct bpfrt_vm_opts *opts, struct bpfrt_vm_prog **out,
				struct bpfrt_diag *diag);
BPFRT_API void bpfrt_vm_prog_free(struct bpfrt_vm_prog *prog);
BPFRT_API uint32_t bpfrt_vm_prog_insn_cnt(const struct bpfrt_vm_prog *prog);

/* A program's x86-64 JIT image, for tools (disassembly, perf maps) and
 * tests.  Everything it points to lives as long as the program. */
struct bpfrt_jited {
	size_t sz;                /* sizeof(struct bpfrt_jited), set by the caller */
	const uint8_t *code;      /* the native code (read+exec), size bytes */
	size_t size;
	const uint32_t *insn_off; /* insn_off[i]: offset in code of instruction slot i (insn_cnt + 1 entries) */
	uint32_t insn_cnt;
	uint32_t entry_off;       /* offset of the entry sequence the C side calls */
	uint32_t passes;          /* emission passes until the offsets converged */
	uint64_t compile_ns;      /* compilation time */
	const char *reason;       /* when not compiled: why */
};
/* Describe prog's JIT image, compiling it first if compile is set and it
 * was never compiled.  0: compiled (*out filled); -ENOTSUP: the JIT cannot
 * compile it (out->reason says why); -ENOENT: not compiled yet and compile
 * is false; -EINVAL: bad arguments.  Thread-safe. */
BPFRT_API int bpfrt_vm_prog_jited(const struct bpfrt_vm_prog *prog, bool compile, struct bpfrt_jited *out);

/* A memory region a program may touch in bounds-checked mode. */
enum bpfrt_region_flags {
	BPFRT_REGION_READ = 1u << 0,
	BPFRT_REGION_WRITE = 1u << 1,
};
struct bpfrt_region {
	const char *name; /* "ctx", "packet", "map value" — for messages */
	void *start;
	size_t size;
	uint32_t flags;
};

/* Resolves bpf_tail_call(ctx, map, index): return the program to continue
 * with, or NULL to fall through (the kernel's behaviour on a miss). */
typedef const struct bpfrt_vm_prog *(*bpfrt_tail_call_fn)(struct bpfrt_run *run, uint64_t map,
							   uint32_t index);

enum bpfrt_run_flags {
	/* Check every load and store against the stack, ctx, packet and extra
	 * regions; a violation stops the program with -EFAULT and a diag. */
	BPFRT_RUN_CHECKED = 1u << 0,
	/* Run native code from the x86-64 JIT (compiled on the first such run
	 * and kept with the program).  Ignored with BPFRT_RUN_CHECKED or an
	 * insn_limit, and for programs the JIT cannot compile (the reason is
	 * printed to stderr when $BPFRT_JIT_LOG is set): those interpret. */
	BPFRT_RUN_JIT = 1u << 1,
};

/* Options for one run.  r1 = ctx unless args overrides r1..r5. */
struct bpfrt_run_opts {
	size_t sz;
	uint32_t flags;                /* enum bpfrt_run_flags */
	void *ctx;                     /* r1 */
	size_t ctx_size;               /* ctx region size (checked mode) */
	const uint64_t *args;          /* if non-NULL: initial r1..r(nr_args) */
	uint32_t nr_args;              /* at most 5 */
	void *packet;                  /* packet data: region and LD_ABS/LD_IND source */
	size_t packet_size;
	const struct bpfrt_region *regions; /* further regions (checked mode) */
	uint32_t nr_regions;
	uint64_t insn_limit;           /* checked mode: stop after this many insns (0: none) */
	bpfrt_tail_call_fn tail_call;  /* NULL: bpf_tail_call always falls through */
	void *user;                    /* for helpers: bpfrt_run_user() */
	struct bpfrt_task *task;       /* the "current task" of tracing helpers (NULL: this thread) */
	uint64_t attach_cookie;        /* bpf_get_attach_cookie(): the attachment's cookie (0: none) */
};

/* The task (a thread of a traced process) a tracing program runs for, so
 * the helpers that ask about "current" answer for it, as in the kernel,
 * rather than for the thread running the program: bpf_get_current_pid_tgid,
 * _uid_gid, _comm, bpf_probe_read_user(_str) (its memory, through
 * process_vm_readv), bpf_send_signal(_thread), bpf_override_return.  The
 * hook that runs the program (src/hooks/trace.c for syscalls, uprobes
 * likewise) fills the inputs and acts on the outputs after the run. */
struct bpfrt_task {
	size_t sz;              /* sizeof(struct bpfrt_task) */
	int32_t tgid, tid;      /* the process and the thread */
	uint32_t uid, gid;
	char comm[16];
	/* The event's "kernel" memory (the context, a struct pt_regs copy):
	 * the legacy bpf_probe_read(_str) reads these here and everything
	 * else from the task; bpf_probe_read_kernel reads this process. */
	const void *kmem[2];
	size_t kmem_size[2];
	/* Outputs, reset by the hook before each run. */
	bool override_set;      /* bpf_override_return(ctx, rc) was called */
	int64_t override_ret;
	int signal;             /* bpf_send_signal(sig) / _thread: 0 for none */
	bool signal_thread;     /* the signal is for the thread, not the process */
};

/* Run prog.  On a normal exit returns 0 and stores r0 in *r0.  On a fault
 * (bounds violation in checked mode, callx to a bad target, call depth
 * exceeded, instruction limit) returns a negative errno and fills diag with
 * the instruction index and the reason; the host is never harmed. */
BPFRT_API int bpfrt_vm_run(const struct bpfrt_vm_prog *prog, const struct bpfrt_run_opts *opts,
			   uint64_t *r0, struct bpfrt_diag *diag);

/* ---- For helpers: the state of the running program -------------------- */

BPFRT_API struct bpfrt *bpfrt_run_runtime(const struct bpfrt_run *run);
BPFRT_API void *bpfrt_run_user(const struct bpfrt_run *run);
/* The run's current task (struct bpfrt_run_opts.task), or NULL. */
BPFRT_API struct bpfrt_task *bpfrt_run_task(const struct bpfrt_run *run);
BPFRT_API bool bpfrt_run_checked(const struct bpfrt_run *run);
/* In checked mode: may the program read (write) size bytes at ptr?  Always
 * true in unchecked mode. */
BPFRT_API bool bpfrt_run_access_ok(const struct bpfrt_run *run, const void *ptr, size_t size,
				   bool write);
/* Let the program touch a region for the rest of this run (a map value a
 * helper returned, for instance).  -ENOSPC when the run's table is full. */
BPFRT_API int bpfrt_run_add_region(struct bpfrt_run *run, const struct bpfrt_region *region);
/* Call fn(arg) once when this run ends, normally or by a fault (after
 * everything the program does, callbacks and tail calls included): for
 * helpers whose results stay valid only while the run lasts.  0 when added,
 * 1 when this fn and arg were already registered (still called once),
 * -ENOSPC when the run's table is full. */
BPFRT_API int bpfrt_run_on_exit(struct bpfrt_run *run, void (*fn)(void *arg), void *arg);
/* Call a function of the running program (fn as `lddw rX, func` gave it,
 * BPF_PSEUDO_FUNC) with r1..r5 = args; its r0 goes to *r0.  For helpers
 * that take callbacks (bpf_loop, bpf_for_each_map_elem).  A fault inside
 * the callback returns its negative errno and ends the whole run. */
BPFRT_API int bpfrt_run_callback(struct bpfrt_run *run, uint64_t fn, const uint64_t args[5],
				 uint64_t *r0);

/* ---- Memory-mapped arrays (BPF_F_MMAPABLE) ------------------------------ */

/* Map the values of an ARRAY map created with BPF_F_MMAPABLE into this
 * process: max_entries values of round_up(value_size, 8) bytes, shared live
 * with programs and other processes.  *size gets the byte length.  NULL
 * with errno: EINVAL (not an mmapable array), EPERM (writable and frozen). */
BPFRT_API void *bpfrt_map_mmap(struct bpfrt *rt, int map_fd, bool writable, size_t *size);
/* Undo bpfrt_map_mmap (same writable as when mapping). */
BPFRT_API int bpfrt_map_munmap(struct bpfrt *rt, int map_fd, void *addr, bool writable);

/* ---- Ring buffer consumer (BPF_MAP_TYPE_RINGBUF), libbpf's shape ------- */

/* Called for each submitted record; return 0 to go on, non-zero to stop
 * (a negative value is returned by consume/poll). */
typedef int (*bpfrt_ringbuf_sample_fn)(void *ctx, void *data, size_t size);
struct bpfrt_ringbuf;

/* A consumer of the ring buffer map behind map_fd (it takes its own
 * reference to the map).  NULL with errno on failure. */
BPFRT_API struct bpfrt_ringbuf *bpfrt_ringbuf_new(struct bpfrt *rt, int map_fd,
						  bpfrt_ringbuf_sample_fn fn, void *ctx);
/* Hand every available record to fn; returns how many, or fn's negative value. */
BPFRT_API int bpfrt_ringbuf_consume(struct bpfrt_ringbuf *rb);
/* Wait up to timeout_ms (-1: forever) for records, then consume them. */
BPFRT_API int bpfrt_ringbuf_poll(struct bpfrt_ringbuf *rb, int timeout_ms);
/* An fd that becomes readable when producers in this process submit
 * (epoll-able); producers in other processes are seen by bpfrt_ringbuf_poll. */
BPFRT_API int bpfrt_ringbuf_epoll_fd(const struct bpfrt_ringbuf *rb);
BPFRT_API void bpfrt_ringbuf_free(struct bpfrt_ringbuf *rb);

/* ---- Perf event array consumer (BPF_MAP_TYPE_PERF_EVENT_ARRAY) -------- */

typedef void (*bpfrt_perf_sample_fn)(void *ctx, int cpu, void *data, uint32_t size);
typedef void (*bpfrt_perf_lost_fn)(void *ctx, int cpu, uint64_t count);
struct bpfrt_perf_buffer;

/* Attach to every slot of the perf event array behind map_fd (programs'
 * bpf_perf_event_output then succeeds).  lost may be NULL. */
BPFRT_API struct bpfrt_perf_buffer *bpfrt_perf_buffer_new(struct bpfrt *rt, int map_fd,
							  bpfrt_perf_sample_fn sample,
							  bpfrt_perf_lost_fn lost, void *ctx);
/* Hand every pending record to sample; returns how many. */
BPFRT_API int bpfrt_perf_buffer_consume(struct bpfrt_perf_buffer *pb);
/* Wait up to timeout_ms (-1: forever) for records, then consume them. */
BPFRT_API int bpfrt_perf_buffer_poll(struct bpfrt_perf_buffer *pb, int timeout_ms);
BPFRT_API void bpfrt_perf_buffer_free(struct bpfrt_perf_buffer *pb);

#ifdef __cplusplus
}
#endif
#endif
