/* agent.c — libbpfrt_agent.so, the in-process uprobe mechanism: preloaded
 * into a process (LD_PRELOAD), its constructor opens the pinned programs
 * named in $BPFRT_AGENT_PROBES (their maps are the pinned, shared maps, so
 * whoever pinned them sees every update), resolves each probe in this
 * process (/proc/self/maps + the ELF symbols) and writes an int3 at it.
 * A hit is a SIGTRAP in the thread itself: the handler runs the programs
 * (JIT) with the thread's registers as struct pt_regs — no tracer, no
 * context switch — then executes the displaced instruction by restoring it
 * and single-stepping (the trap flag), and re-inserts the int3 on the
 * step's trap.  Text is written through /proc/self/mem, so its pages stay
 * read-execute (never writable, never RWX).  A uretprobe swaps the return
 * address for a slot of a read-execute page of int3s and keeps the real one
 * on a per-thread shadow stack.
 *
 * $BPFRT_AGENT_PROBES: entries separated by ';', each
 *   PINNED_PROG_PATH '|' SECTION ['|' COOKIE]
 * with SECTION a uprobe section (uprobe/PATH:FUNC[+OFF], uretprobe/...).
 * Errors go to stderr prefixed "bpfrt agent:"; a probe that cannot be put
 * is skipped, the process runs on.  $BPFRT_AGENT_STRICT=1 makes any such
 * error fatal (exit 126), for tests and scripts.
 *
 * The agent is one per process by nature (a signal handler is process-wide),
 * so its state is this file's: the probe table is written only by the
 * constructor, before any probe can fire, and read-only afterwards.
 * Limits (docs/uprobes.md): while one thread steps over a probe, another
 * thread passing it is not counted; probing a function the helpers
 * themselves call (write, memcpy, ...) recurses into a blocked SIGTRAP and
 * the kernel kills the process.
 */
#define _GNU_SOURCE
#include "bpfrt/bpfrt.h"
#include "core/prog.h"
#include "hooks/elf_sym.h"
#include "hooks/uprobe.h"
#include "hooks/uprobe_insn.h"
#include "hooks/usdt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ucontext.h>
#include <stdint.h>
#include <unistd.h>

#define MAX_PROBES 64
#define MAX_RET_DEPTH 256
#define EFLAGS_TF 0x100ull

struct agent_probe {
	struct bpfrt_prog *prog;
	uint64_t addr;
	uint64_t cookie;
	bool retprobe;
	bool tramp;       /* entered through a jump to a trampoline (no int3) */
	uint8_t orig;     /* the byte under the int3 (same for probes sharing addr) */
};

struct agent {
	struct bpfrt *rt;
	int mem_fd;       /* /proc/self/mem, for writes to read-only text */
	struct agent_probe probes[MAX_PROBES];
	int nr;
	uint8_t *ret_stub; /* where a uretprobe'd function returns to (trampolines.c below) */
	bool strict;
};

static struct agent agent;

struct ret_slot {
	uint64_t sp, ret;
	int probe;
};

/* Per thread: the step in progress, the shadow stack of return addresses
 * (innermost last; sp = where the swapped return address is). */
static _Thread_local uint64_t step_addr;
static _Thread_local struct ret_slot shadow[MAX_RET_DEPTH];
static _Thread_local int shadow_top;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	if (write(2, "bpfrt agent: ", 13) < 0 || write(2, buf, (size_t)n) < 0)
		return;
}

static int poke(uint64_t addr, uint8_t byte)
{
	return pwrite(agent.mem_fd, &byte, 1, (off_t)addr) == 1 ? 0 : -errno;
}

/* ---- the signal handler -------------------------------------------------- */

/* struct pt_regs from the signal frame (the kernel's x86-64 layout). */
static void regs_from(const mcontext_t *mc, uint64_t *r)
{
	const greg_t *g = mc->gregs;
	r[0] = (uint64_t)g[REG_R15], r[1] = (uint64_t)g[REG_R14], r[2] = (uint64_t)g[REG_R13];
	r[3] = (uint64_t)g[REG_R12], r[4] = (uint64_t)g[REG_RBP], r[5] = (uint64_t)g[REG_RBX];
	r[6] = (uint64_t)g[REG_R11], r[7] = (uint64_t)g[REG_R10], r[8] = (uint64_t)g[REG_R9];
	r[9] = (uint64_t)g[REG_R8], r[10] = (uint64_t)g[REG_RAX], r[11] = (uint64_t)g[REG_RCX];
	r[12] = (uint64_t)g[REG_RDX], r[13] = (uint64_t)g[REG_RSI], r[14] = (uint64_t)g[REG_RDI];
	r[15] = (uint64_t)-1, r[16] = (uint64_t)g[REG_RIP];
	r[17] = (uint64_t)(g[REG_CSGSFS] & 0xffff), r[18] = (uint64_t)g[REG_EFL];
	r[19] = (uint64_t)g[REG_RSP], r[20] = 0x2b;
}

static void run(struct agent_probe *p, uint64_t *regs)
{
	struct bpfrt_region globals[16];
	struct bpfrt_run_opts o = {.sz = sizeof(o), .ctx = regs, .ctx_size = 21 * 8,
				   .tail_call = bpfrt_prog_tail_call, .attach_cookie = p->cookie};
	bpfrt_prog_run_opts_init(p->prog, &o, globals, 16);
	uint64_t r0;
	struct bpfrt_diag diag;
	if (bpfrt_vm_run(p->prog->vm, &o, &r0, &diag))
		say("uprobe '%s': program fault: %s", p->prog->name, diag.msg);
}

/* The programs of the probes at addr; regs[19] is the thread's sp. */
static void entry_probes(uint64_t addr, uint64_t *regs)
{
	regs[16] = addr; /* ip: the probed address, as the kernel shows handlers */
	for (int i = 0; i < agent.nr; i++) {
		struct agent_probe *p = &agent.probes[i];
		if (p->addr != addr)
			continue;
		if (!p->retprobe) {
			run(p, regs);
			continue;
		}
		if (shadow_top == MAX_RET_DEPTH)
			continue; /* too deep: this return goes unseen, as the kernel's max depth */
		uint64_t *sp = (uint64_t *)(uintptr_t)regs[19];
		uint64_t slot = (uint64_t)(uintptr_t)agent.ret_stub;
		uint64_t ret = *sp;
		/* a second uretprobe on the same call: the address is swapped already */
		if (shadow_top && shadow[shadow_top - 1].sp == (uint64_t)(uintptr_t)sp)
			ret = shadow[shadow_top - 1].ret;
		shadow[shadow_top++] = (struct ret_slot){.sp = (uint64_t)(uintptr_t)sp, .ret = ret, .probe = i};
		*sp = slot;
	}
}

static void on_entry(uint64_t addr, mcontext_t *mc)
{
	uint64_t regs[21];
	regs_from(mc, regs);
	entry_probes(addr, regs);
}

/* Called by a trampoline with the pt_regs it saved (ip = the probe). */
static void tramp_entry(uint64_t *regs)
{
	entry_probes(regs[16], regs);
}

/* Called by the return stub with the registers at the return (sp just past
 * the popped return address): run the uretprobes of the frame returning,
 * drop frames a longjmp skipped, give the stub the real return address. */
static uint64_t tramp_return(uint64_t *regs)
{
	uint64_t at = regs[19] - 8; /* where the swapped return address was */
	while (shadow_top && shadow[shadow_top - 1].sp < at)
		shadow_top--;
	if (!shadow_top || shadow[shadow_top - 1].sp != at) {
		say("uretprobe: a return with no recorded frame (stack switched?): aborting");
		abort();
	}
	uint64_t ret = shadow[shadow_top - 1].ret;
	regs[16] = ret; /* ip: the return address, as the kernel */
	while (shadow_top && shadow[shadow_top - 1].sp == at)
		run(&agent.probes[shadow[--shadow_top].probe], regs);
	return ret;
}

static void on_sigtrap(int sig, siginfo_t *si, void *uc_)
{
	(void)sig;
	ucontext_t *uc = uc_;
	mcontext_t *mc = &uc->uc_mcontext;
	int saved_errno = errno;
	if (step_addr && (mc->gregs[REG_EFL] & (greg_t)EFLAGS_TF)) {
		/* The displaced instruction ran: re-arm it. */
		poke(step_addr, 0xcc);
		step_addr = 0;
		mc->gregs[REG_EFL] &= ~(greg_t)EFLAGS_TF;
		errno = saved_errno;
		return;
	}
	uint64_t addr = (uint64_t)mc->gregs[REG_RIP] - 1;
	struct agent_probe *hit = NULL;
	for (int i = 0; i < agent.nr && !hit; i++)
		if (agent.probes[i].addr == addr)
			hit = &agent.probes[i];
	if (!hit) {
		/* Not ours (a debugger's int3, raise(SIGTRAP)): the default
		 * action, as without the agent. */
		(void)si;
		signal(SIGTRAP, SIG_DFL);
		raise(SIGTRAP);
		return;
	}
	on_entry(addr, mc);
	/* Step over: the original byte back, one instruction with TF set. */
	poke(addr, hit->orig);
	step_addr = addr;
	mc->gregs[REG_RIP] = (greg_t)addr;
	mc->gregs[REG_EFL] |= (greg_t)EFLAGS_TF;
	errno = saved_errno;
}

/* ---- trampolines --------------------------------------------------------- */

/* A probe whose first instructions can move is entered by a jmp rel32 to a
 * trampoline: save the registers as struct pt_regs (and xmm0-7, which hold
 * float arguments) below the red zone, call tramp_entry, restore, run the
 * displaced instructions, jump back.  No trap, no signal: the cost is the
 * program's plus ~100 instructions.  The displaced instructions must be
 * whole, position-independent (no rip-relative operand, no branch) and no
 * branch of the function may land inside them; the whole function is
 * decoded to make sure, and anything unknown keeps the int3. */

#define FRAME 296 /* pt_regs (168) + xmm0-7 (128) */

struct emit {
	uint8_t *p;
	size_t n;
};

static void b(struct emit *e, const void *bytes, size_t n)
{
	memcpy(e->p + e->n, bytes, n);
	e->n += n;
}

static void b1(struct emit *e, uint8_t x)
{
	e->p[e->n++] = x;
}

static void b4(struct emit *e, uint32_t x)
{
	b(e, &x, 4);
}

static void b8(struct emit *e, uint64_t x)
{
	b(e, &x, 8);
}

/* pt_regs slot of each general register, and its encoding number. */
static const struct {
	uint8_t reg, slot;
} gprs[] = {
	{15, 0}, {14, 1}, {13, 2}, {12, 3}, {5, 4}, {3, 5}, {11, 6}, {10, 7},
	{9, 8},  {8, 9},  {0, 10}, {1, 11}, {2, 12}, {6, 13}, {7, 14},
};

/* mov [rsp+disp32], reg (store) or mov reg, [rsp+disp32] (load). */
static void mov_rsp(struct emit *e, bool store, uint8_t reg, uint32_t disp)
{
	b1(e, 0x48 | (reg >= 8 ? 4 : 0));
	b1(e, store ? 0x89 : 0x8b);
	b1(e, 0x84 | (uint8_t)((reg & 7) << 3));
	b1(e, 0x24);
	b4(e, disp);
}

/* movdqu [rsp+disp32], xmmN (store) or back. */
static void xmm_rsp(struct emit *e, bool store, uint8_t n, uint32_t disp)
{
	b(e, (uint8_t[]){0xf3, 0x0f, store ? 0x7f : 0x6f, (uint8_t)(0x84 | (n << 3)), 0x24}, 5);
	b4(e, disp);
}

/* mov qword [rsp+disp32], simm32 */
static void movimm_rsp(struct emit *e, uint32_t disp, int32_t imm)
{
	b(e, (uint8_t[]){0x48, 0xc7, 0x84, 0x24}, 4);
	b4(e, disp);
	b4(e, (uint32_t)imm);
}

/* The save half: registers into the frame, pt_regs filled; sp_off is the
 * distance from rsp (after the frame) to the thread's sp. */
static void emit_save(struct emit *e, uint32_t sp_off, uint32_t flags_off)
{
	b(e, (uint8_t[]){0x48, 0x81, 0xec}, 3); /* sub rsp, FRAME */
	b4(e, FRAME);
	for (size_t i = 0; i < sizeof(gprs) / sizeof(gprs[0]); i++)
		mov_rsp(e, true, gprs[i].reg, gprs[i].slot * 8u);
	for (uint8_t x = 0; x < 8; x++)
		xmm_rsp(e, true, x, 168u + x * 16u);
	movimm_rsp(e, 15 * 8, -1);   /* orig_ax */
	movimm_rsp(e, 17 * 8, 0x33); /* cs */
	mov_rsp(e, false, 0, flags_off); /* rax = saved flags */
	mov_rsp(e, true, 0, 18 * 8);
	b(e, (uint8_t[]){0x48, 0x8d, 0x84, 0x24}, 4); /* lea rax, [rsp+sp_off] */
	b4(e, sp_off);
	mov_rsp(e, true, 0, 19 * 8);
	movimm_rsp(e, 20 * 8, 0x2b); /* ss */
}

/* rdi = pt_regs, call fn on a 16-byte aligned stack. */
static void emit_call(struct emit *e, void *fn)
{
	b(e, (uint8_t[]){0x48, 0x89, 0xe7}, 3);       /* mov rdi, rsp */
	b(e, (uint8_t[]){0x48, 0x89, 0xe3}, 3);       /* mov rbx, rsp */
	b(e, (uint8_t[]){0x48, 0x83, 0xe4, 0xf0}, 4); /* and rsp, -16 */
	b(e, (uint8_t[]){0x48, 0xb8}, 2);             /* movabs rax, fn */
	b8(e, (uint64_t)(uintptr_t)fn);
	b(e, (uint8_t[]){0xff, 0xd0}, 2);             /* call rax */
	b(e, (uint8_t[]){0x48, 0x89, 0xdc}, 3);       /* mov rsp, rbx */
}

static void emit_restore(struct emit *e)
{
	for (uint8_t x = 0; x < 8; x++)
		xmm_rsp(e, false, x, 168u + x * 16u);
	for (size_t i = 0; i < sizeof(gprs) / sizeof(gprs[0]); i++)
		mov_rsp(e, false, gprs[i].reg, gprs[i].slot * 8u);
	b(e, (uint8_t[]){0x48, 0x81, 0xc4}, 3); /* add rsp, FRAME */
	b4(e, FRAME);
}

/* Memory within +-2 GiB of addr for a trampoline page, or NULL. */
static uint8_t *near_page(uint64_t addr)
{
	for (int64_t k = 1; k < 2000; k++) {
		for (int sgn = -1; sgn <= 1; sgn += 2) {
			int64_t hint = (int64_t)(addr & ~0xfffull) + sgn * k * (1ll << 20);
			if (hint <= 0x10000)
				continue;
			void *p = mmap((void *)(uintptr_t)hint, 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
			if (p == MAP_FAILED)
				continue;
			int64_t d = (int64_t)(uintptr_t)p - (int64_t)addr;
			if (d > -(1ll << 31) + 8192 && d < (1ll << 31) - 8192)
				return p;
			munmap(p, 4096);
		}
	}
	return NULL;
}

/* How many bytes at addr can be displaced (>= 5), or 0 with a reason. */
static size_t displaceable(uint64_t fstart, uint64_t fsize, uint64_t addr, const char **why)
{
	const uint8_t *code = (const uint8_t *)(uintptr_t)fstart;
	size_t len = 0;
	struct x86_insn in;
	/* the instructions to move */
	for (uint64_t a = addr; len < 5; a += in.len) {
		if (a >= fstart + fsize || !bpfrt_x86_decode((const uint8_t *)(uintptr_t)a, fstart + fsize - a, a, &in)) {
			*why = "an instruction in the first 5 bytes is not one the decoder knows";
			return 0;
		}
		if (in.flags & (X86_RIPREL | X86_BRANCH | X86_STOP | X86_INDIRECT | X86_CALL)) {
			*why = "the first 5 bytes hold a rip-relative or control-flow instruction";
			return 0;
		}
		len += in.len;
	}
	/* every branch of the function, none into the moved bytes */
	for (uint64_t off = 0; off < fsize; off += in.len) {
		if (!bpfrt_x86_decode(code + off, fsize - off, fstart + off, &in)) {
			*why = "the function has an instruction the decoder does not know";
			return 0;
		}
		if ((in.flags & X86_INDIRECT) && !(in.flags & X86_CALL)) {
			*why = "the function has an indirect jump (its targets are unknown)";
			return 0;
		}
		if ((in.flags & X86_BRANCH) && in.target > addr && in.target < addr + len) {
			*why = "a branch of the function lands inside the first 5 bytes";
			return 0;
		}
	}
	return len;
}

/* Put a trampoline at addr (a function of fsize bytes at fstart): 0, or
 * -1 with *why when the int3 must stay. */
static int tramp_install(uint64_t fstart, uint64_t fsize, uint64_t addr, const char **why)
{
	if (!fsize) {
		*why = "the symbol has no size";
		return -1;
	}
	size_t len = displaceable(fstart, fsize, addr, why);
	if (!len)
		return -1;
	uint8_t *pg = near_page(addr);
	if (!pg) {
		*why = "no memory within 2 GiB of the function";
		return -1;
	}
	struct emit e = {.p = pg};
	b(&e, (uint8_t[]){0x48, 0x8d, 0x64, 0x24, 0x80}, 5); /* lea rsp, [rsp-128]: the red zone */
	b1(&e, 0x9c);                                        /* pushfq */
	emit_save(&e, FRAME + 8 + 128, FRAME);
	b(&e, (uint8_t[]){0x48, 0xb8}, 2); /* movabs rax, addr; mov [rsp+ip], rax */
	b8(&e, addr);
	mov_rsp(&e, true, 0, 16 * 8);
	emit_call(&e, (void *)tramp_entry);
	emit_restore(&e);
	b1(&e, 0x9d);                                        /* popfq */
	b(&e, (uint8_t[]){0x48, 0x8d, 0xa4, 0x24, 0x80, 0, 0, 0}, 8); /* lea rsp, [rsp+128] */
	b(&e, (const void *)(uintptr_t)addr, len);           /* the displaced instructions */
	b(&e, (uint8_t[]){0xff, 0x25, 0, 0, 0, 0}, 6);       /* jmp [rip+0] */
	b8(&e, addr + len);
	if (mprotect(pg, 4096, PROT_READ | PROT_EXEC)) {
		munmap(pg, 4096);
		*why = "mprotect failed";
		return -1;
	}
	/* jmp rel32 over the first instruction(s), int3-padded */
	uint8_t patch[16];
	memset(patch, 0xcc, sizeof(patch));
	patch[0] = 0xe9;
	int32_t rel = (int32_t)((int64_t)(uintptr_t)pg - (int64_t)(addr + 5));
	memcpy(patch + 1, &rel, 4);
	if (pwrite(agent.mem_fd, patch, len, (off_t)addr) != (ssize_t)len) {
		*why = "can't write the jump";
		return -1;
	}
	return 0;
}

/* ---- setup --------------------------------------------------------------- */

static int open_prog(const char *path)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)path;
	return bpfrt_bpf(agent.rt, BPF_OBJ_GET, &a, sizeof(a));
}

static int place(struct bpfrt_prog *prog, const struct bpfrt_uprobe_spec *spec, const char *sec, uint64_t cookie);

/* A map of the program by the first 15 characters of its name (the
 * length map names are cut to): <bpf/usdt.bpf.h>'s __bpf_usdt_specs and
 * __bpf_usdt_ip_to_spec_id. */
static struct bpfrt_map *prog_map(struct bpfrt_prog *prog, const char *name15)
{
	for (uint32_t i = 0; i < prog->nr_maps; i++)
		if (!strncmp(prog->maps[i]->name, name15, 15))
			return prog->maps[i];
	return NULL;
}

/* A usdt/PATH:PROVIDER:NAME entry: every site of the probe gets a uprobe at
 * its file offset whose cookie is the index of its argument spec in the
 * program's __bpf_usdt_specs (what bpf_usdt_arg reads); semaphores are
 * incremented, as libbpf does, so guarded probe sites run. */
static int add_usdt(struct bpfrt_prog *prog, const char *sec, uint64_t user_cookie)
{
	static uint32_t next_spec; /* written by the constructor only */
	char path[4096], prov[128], name[128], file[4096], err[1024];
	int r = bpfrt_usdt_parse_sec(sec, path, sizeof(path), prov, sizeof(prov), name, sizeof(name), err, sizeof(err));
	if (r)
		return say("%s", r == 1 ? "a usdt section without PATH:PROVIDER:NAME cannot be placed" : err), -EINVAL;
	r = bpfrt_uprobe_find_file(getpid(), path, file, sizeof(file));
	if (r <= 0)
		return say("%s: '%s' is not mapped in this process", sec, path), -ENOENT;
	struct bpfrt_usdt_site sites[32];
	int n = bpfrt_usdt_sites(file, prov, name, sites, 32, err, sizeof(err));
	if (n <= 0)
		return say("%s: %s", sec, n ? err : "no such USDT probe in the file's .note.stapsdt"), n ? n : -ENOENT;
	struct bpfrt_map *specs = prog_map(prog, "__bpf_usdt_spec"), *ips = prog_map(prog, "__bpf_usdt_ip_t");
	if (!specs)
		return say("%s: the program has no __bpf_usdt_specs map (include <bpf/usdt.bpf.h>)", sec), -EINVAL;
	for (int i = 0; i < n; i++) {
		struct bpfrt_usdt_spec spec;
		if (bpfrt_usdt_parse_args(sites[i].args, &spec, err, sizeof(err)))
			return say("%s: %s", sec, err), -EINVAL;
		spec.usdt_cookie = user_cookie;
		uint32_t id = next_spec++;
		if (specs->ops->update(specs, &id, &spec, BPF_ANY, false))
			return say("%s: __bpf_usdt_specs is full (%u specs)", sec, id), -E2BIG;
		struct bpfrt_uprobe_spec us;
		memset(&us, 0, sizeof(us));
		snprintf(us.path, sizeof(us.path), "%s", file);
		us.offset = sites[i].pc_off;
		bpfrt_obj_get(&prog->obj); /* each placed probe holds one */
		r = place(prog, &us, sec, id);
		if (r) {
			bpfrt_obj_put(&prog->obj);
			return r;
		}
		/* bpfrt's loader says LINUX_HAS_BPF_COOKIE = 0, so bpf_usdt_arg
		 * finds the spec by the probe's address, as libbpf arranges on
		 * kernels without cookies; the cookie is the id as well. */
		uint64_t ip = agent.probes[agent.nr - 1].addr;
		if (ips && ips->ops->update(ips, &ip, &id, BPF_ANY, false))
			return say("%s: __bpf_usdt_ip_to_spec_id is full", sec), -E2BIG;
		if (sites[i].sema_vaddr) {
			uint64_t bias = agent.probes[agent.nr - 1].addr - sites[i].pc_vaddr;
			__atomic_add_fetch((uint16_t *)(uintptr_t)(bias + sites[i].sema_vaddr), 1, __ATOMIC_RELAXED);
		}
	}
	bpfrt_obj_put(&prog->obj); /* the caller's; the probes hold theirs */
	return 0;
}

static int add_probe(char *entry)
{
	char *path = entry, *sec = strchr(entry, '|');
	if (!sec)
		return say("'%s': expected PINNED_PROG|SECTION[|COOKIE]", entry), -EINVAL;
	*sec++ = 0;
	char *cookie = strchr(sec, '|');
	if (cookie)
		*cookie++ = 0;
	struct bpfrt_uprobe_spec spec;
	char err[1024];
	bool usdt = !strncmp(sec, "usdt", 4);
	int r = usdt ? 0 : bpfrt_uprobe_parse_sec(sec, &spec, err, sizeof(err));
	if (r)
		return say("%s", r == 1 ? "a uprobe section without PATH:FUNC cannot be placed" : err), -EINVAL;
	int fd = open_prog(path);
	if (fd < 0)
		return say("%s: can't open the pinned program: %s", path, strerror(-fd)), fd;
	int e = 0;
	struct bpfrt_obj *o = bpfrt_fd_get(agent.rt, fd, BPFRT_OBJ_PROG, &e);
	bpfrt_close(agent.rt, fd); /* the probe keeps o's reference */
	if (!o)
		return say("%s: not a program", path), -EINVAL;
	struct bpfrt_prog *prog = bpfrt_prog_from_obj(o);
	if (prog->type != BPF_PROG_TYPE_KPROBE) {
		bpfrt_obj_put(o);
		return say("%s: a uprobe runs KPROBE programs", path), -EINVAL;
	}
	uint64_t user_cookie = cookie ? strtoull(cookie, NULL, 0) : 0;
	if (usdt)
		return add_usdt(prog, sec, user_cookie);
	r = place(prog, &spec, sec, user_cookie);
	if (r)
		bpfrt_obj_put(o);
	return r;
}

/* Resolve spec in this process and patch it for prog (whose reference the
 * probe takes over on success). */
static int place(struct bpfrt_prog *prog, const struct bpfrt_uprobe_spec *specp, const char *sec, uint64_t cookie)
{
	struct bpfrt_uprobe_spec spec = *specp;
	char err[1024];
	int r;
	if (agent.nr == MAX_PROBES)
		return say("more than %d probes", MAX_PROBES), -E2BIG;
	uint64_t addr;
	char file[4096];
	r = bpfrt_uprobe_resolve(getpid(), &spec, &addr, file, sizeof(file), err, sizeof(err));
	if (r <= 0) {
		if (!r)
			say("%s: '%s' is not mapped in this process", sec, spec.path);
		else
			say("%s: %s", sec, err);
		return r ? r : -ENOENT;
	}
	/* Compile now: the JIT allocates, which a signal handler must not. */
	struct bpfrt_jited jited;
	if (bpfrt_engine(agent.rt) == BPFRT_ENGINE_JIT)
		bpfrt_vm_prog_jited(prog->vm, true, &jited);
	struct agent_probe *p = &agent.probes[agent.nr];
	p->prog = prog;
	p->addr = addr;
	p->retprobe = spec.retprobe;
	p->cookie = cookie;
	/* the first probe at this address saw the original byte */
	for (int i = 0; i < agent.nr; i++)
		if (agent.probes[i].addr == addr) {
			p->orig = agent.probes[i].orig;
			p->tramp = agent.probes[i].tramp;
			agent.nr++;
			return 0;
		}
	uint64_t foff, fsize = 0;
	const char *why = "the probe is at a raw offset";
	if (spec.func[0] && !getenv("BPFRT_AGENT_INT3") &&
	    !bpfrt_elf_func_find(file, spec.func, &foff, &fsize, err, sizeof(err)) &&
	    !tramp_install(addr - spec.offset, fsize, addr, &why)) {
		p->tramp = true;
		agent.nr++;
		return 0;
	}
	if (getenv("BPFRT_AGENT_DEBUG"))
		say("%s: breakpoint, not a trampoline: %s", sec, why);
	if (pread(agent.mem_fd, &p->orig, 1, (off_t)addr) != 1 || poke(addr, 0xcc)) {
		return say("%s: can't write a breakpoint at %#llx: %s", sec, (unsigned long long)addr, strerror(errno)), -EIO;
	}
	agent.nr++;
	return 0;
}

/* The return stub: a uretprobe'd function returns here (its return address
 * was swapped by entry_probes).  Save the registers (ax = the return
 * value), call tramp_return for the real return address, put it where
 * `ret` finds it, restore, return there.  No trap. */
static int make_ret_stub(void)
{
	uint8_t *pg = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pg == MAP_FAILED)
		return -errno;
	struct emit e = {.p = pg};
	b(&e, (uint8_t[]){0x48, 0x83, 0xec, 0x08}, 4); /* sub rsp, 8: the slot for the real address */
	b1(&e, 0x9c);                                  /* pushfq */
	emit_save(&e, FRAME + 8 + 8, FRAME);
	emit_call(&e, (void *)tramp_return);
	mov_rsp(&e, true, 0, FRAME + 8); /* the slot = rax */
	emit_restore(&e);
	b1(&e, 0x9d); /* popfq */
	b1(&e, 0xc3); /* ret */
	if (mprotect(pg, 4096, PROT_READ | PROT_EXEC)) {
		munmap(pg, 4096);
		return -errno;
	}
	agent.ret_stub = pg;
	return 0;
}

__attribute__((constructor)) static void agent_init(void)
{
	const char *env = getenv("BPFRT_AGENT_PROBES");
	if (!env || !*env)
		return;
	const char *strict = getenv("BPFRT_AGENT_STRICT");
	agent.strict = strict && *strict == '1';
	char *list = strdup(env);
	agent.mem_fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	agent.rt = bpfrt_new(NULL);
	int bad = !list || agent.mem_fd < 0 || !agent.rt || make_ret_stub();
	if (bad)
		say("can't start: %s", strerror(errno));
	/* The handler before the first int3. */
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigtrap;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	if (!bad && sigaction(SIGTRAP, &sa, NULL)) {
		say("sigaction: %s", strerror(errno));
		bad = 1;
	}
	for (char *save = NULL, *e = bad ? NULL : strtok_r(list, ";", &save); e; e = strtok_r(NULL, ";", &save))
		if (*e && add_probe(e))
			bad = 1;
	free(list);
	if (bad && agent.strict)
		_exit(126);
	/* Children: an exec'd image has no probes; a forked copy keeps the
	 * int3s and this handler, which is what it needs.  The variable goes,
	 * so an exec'd program does not probe itself by accident. */
	unsetenv("BPFRT_AGENT_PROBES");
}
