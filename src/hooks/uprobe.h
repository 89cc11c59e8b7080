/* uprobe.h — uprobes and uretprobes on a process bpfrt traces with ptrace:
 * KPROBE-type programs (libbpf's SEC("uprobe/PATH:FUNC[+OFF]"),
 * SEC("uretprobe/PATH:FUNC"), .s variants) run with the kernel's x86-64
 * struct pt_regs as their context when the traced process reaches a
 * function (or returns from it).
 *
 * Mechanism (docs/uprobes.md): an int3 at the function's entry; the tracer
 * sees the SIGTRAP, runs the programs with the tracee's registers, puts the
 * original byte back, single-steps it and re-inserts the int3.  A uretprobe
 * swaps the return address on the tracee's stack for a breakpoint at the
 * executable's entry point (never returned to) and keeps the real one on a
 * per-thread shadow stack.  Probes in the executable are inserted when the
 * tracee stops after execve; probes in shared libraries when it reaches its
 * entry point (the dynamic loader has mapped DT_NEEDED libraries by then).
 *
 * A struct bpfrt_uprobes belongs to one tracer thread (the one that
 * ptrace-controls the tracee); it is not thread-safe.
 */
#ifndef BPFRT_HOOKS_UPROBE_H
#define BPFRT_HOOKS_UPROBE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct bpfrt;
struct bpfrt_object;

/* Where a uprobe goes: PATH (a file, "/proc/self/exe" or "" for the traced
 * executable, or a library's file name such as "libc.so.6"), then FUNC with
 * an optional +OFFSET, or a bare file offset (FUNC empty). */
struct bpfrt_uprobe_spec {
	char path[PATH_MAX];
	char func[256];
	uint64_t offset;
	bool retprobe;
};

/* Parse a SEC() name of the uprobe family.  0 with *spec filled; 1 when
 * the section names no target (bare "uprobe", "uretprobe": attached by
 * code, as libbpf); -EINVAL with a sentence in err for a malformed target;
 * -ENOENT when sec is not a uprobe section at all. */
int bpfrt_uprobe_parse_sec(const char *sec, struct bpfrt_uprobe_spec *spec, char *err, size_t errlen);

/* The address of spec's instruction in process pid (which may be the
 * caller: getpid()), through its /proc/PID/maps: 1 with *addr and the file's
 * path (file, filelen bytes) set; 0 when the file is not mapped (yet);
 * negative errno with a sentence in err (no such function, not ELF...). */
int bpfrt_uprobe_resolve(pid_t pid, const struct bpfrt_uprobe_spec *spec, uint64_t *addr, char *file, size_t filelen,
			 char *err, size_t errlen);

/* The file a probe PATH names for process pid ("" or /proc/self/exe: its
 * executable; a base name: the mapped file of that name): 1 with its path
 * in out, 0 when not mapped, negative errno. */
int bpfrt_uprobe_find_file(pid_t pid, const char *path, char *out, size_t n);

struct bpfrt_uprobes;

/* A new, empty probe set using runtime rt (which must outlive it). */
struct bpfrt_uprobes *bpfrt_uprobes_new(struct bpfrt *rt);
/* Free the set; breakpoints still in a live tracee stay (detach first). */
void bpfrt_uprobes_free(struct bpfrt_uprobes *u);

/* Add a probe running program prog_fd (a KPROBE program of rt; a reference
 * is taken) at spec, with bpf_get_attach_cookie() returning cookie.
 * Nothing is resolved until bpfrt_uprobes_attach. */
int bpfrt_uprobes_add(struct bpfrt_uprobes *u, int prog_fd, const struct bpfrt_uprobe_spec *spec, uint64_t cookie,
		      char *err, size_t errlen);
/* Add a USDT probe (section "usdt/PATH:PROVIDER:NAME") running prog_fd at
 * every site of PROVIDER:NAME in PATH's .note.stapsdt, with
 * bpf_usdt_cookie() = cookie.  0; 1 for a bare "usdt" section (no target);
 * -ENOENT when sec is no usdt section; negative errno with err set. */
int bpfrt_uprobes_add_usdt(struct bpfrt_uprobes *u, int prog_fd, const char *sec, uint64_t cookie, char *err,
			   size_t errlen);
/* Add every loaded program of obj whose section is uprobe/uretprobe/usdt with a
 * target.  Returns how many were added, or a negative errno with err set. */
int bpfrt_uprobes_add_object(struct bpfrt_uprobes *u, struct bpfrt_object *obj, char *err, size_t errlen);
/* Number of probes in the set. */
size_t bpfrt_uprobes_count(const struct bpfrt_uprobes *u);

/* pid is ptrace-stopped right after its execve (or at any stop, for a
 * process attached later): resolve the probes of files it maps now and
 * insert their breakpoints, plus the entry-point breakpoint.  Each probe's
 * function must exist in its file (-ENOENT with a sentence otherwise). */
int bpfrt_uprobes_attach(struct bpfrt_uprobes *u, pid_t pid, char *err, size_t errlen);

/* Thread tid of the tracee is in a ptrace signal-delivery-stop for
 * SIGTRAP.  If the trap is one of the set's breakpoints, run its programs,
 * move the thread past the breakpoint and return 1: the caller resumes tid
 * (PTRACE_CONT/PTRACE_SYSCALL) delivering *sig (a signal that arrived
 * meanwhile, usually 0).  0: not a trap of this set (deliver SIGTRAP).
 * Negative errno when tid vanished. */
int bpfrt_uprobes_on_sigtrap(struct bpfrt_uprobes *u, pid_t tid, int *sig);

/* The set as an extension of the syscall tracer (struct bpfrt_tracer_ext in
 * hooks/trace.h; ctx = the set): probes go into the first image exec'd
 * (the started command; later execs of its children carry none), and the
 * tracer's SIGTRAP stops come here first. */
int bpfrt_uprobes_ext_on_exec(void *ctx, pid_t tid);
int bpfrt_uprobes_ext_on_sigtrap(void *ctx, pid_t tid, int *sig);

/* Start argv[0] (PATH search) with argv under ptrace, attach the probes and
 * run it to the end (its forks and threads stay traced so that their
 * breakpoints work).  *status gets its exit code, or 128 + signal.  0 or a
 * negative errno with err set (exec failure, a probe that cannot be put). */
int bpfrt_uprobes_run(struct bpfrt_uprobes *u, char *const argv[], int *status, char *err, size_t errlen);

/* Statistics: breakpoint hits handled, programs run, time spent handling
 * (ns, from the SIGTRAP's arrival at the tracer to the resume). */
struct bpfrt_uprobe_stats {
	uint64_t hits, runs, errors, handle_ns;
};
void bpfrt_uprobes_stats(const struct bpfrt_uprobes *u, struct bpfrt_uprobe_stats *out);

#endif
