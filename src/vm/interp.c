/* interp.c — running a prepared program: run setup, bounds checks, faults,
 * and the two instances of the loop (interp_loop.h) — fast and checked.
 *
 * Invariant: in checked mode no load, store or atomic touches memory outside
 * the run's regions (stack of all frames, ctx, packet, extra regions); a
 * violation ends the run with -EFAULT and a diag naming the instruction.
 */
#include "vm/vm.h"
#include "jit/jit.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__) && !defined(BPFRT_NO_COMPUTED_GOTO)
#define VM_USE_GOTO 1
#else
#define VM_USE_GOTO 0
#endif

/* Signed division and modulo with the ISA's answers where C has none:
 * x / 0 = 0, x % 0 = x, INT_MIN / -1 = INT_MIN, INT_MIN % -1 = 0. */
static inline uint64_t vm_sdiv64(uint64_t a, uint64_t b)
{
	if (b == 0)
		return 0;
	if ((int64_t)b == -1)
		return -a;
	return (uint64_t)((int64_t)a / (int64_t)b);
}
static inline uint32_t vm_sdiv32(uint32_t a, uint32_t b)
{
	if (b == 0)
		return 0;
	if ((int32_t)b == -1)
		return -a;
	return (uint32_t)((int32_t)a / (int32_t)b);
}
static inline uint64_t vm_smod64(uint64_t a, uint64_t b)
{
	if (b == 0)
		return a;
	if ((int64_t)b == -1)
		return 0;
	return (uint64_t)((int64_t)a % (int64_t)b);
}
static inline uint32_t vm_smod32(uint32_t a, uint32_t b)
{
	if (b == 0)
		return a;
	if ((int32_t)b == -1)
		return 0;
	return (uint32_t)((int32_t)a % (int32_t)b);
}

/* r6-r9 to or from a call frame, one 8-byte access each: r6-r9 were just
 * written as single registers, and a merged 16-byte copy would stall on
 * store-to-load forwarding (measured: 25% on a call-heavy benchmark). */
static inline void vm_copy_callee_saved(uint64_t *dst, const uint64_t *src)
{
	volatile uint64_t *d = dst;
	for (int i = 0; i < 4; i++)
		d[i] = src[i];
}

static bool region_has(const struct bpfrt_region *r, uint64_t addr, uint64_t size, bool write)
{
	uintptr_t lo = (uintptr_t)r->start;
	if (!(r->flags & (write ? BPFRT_REGION_WRITE : BPFRT_REGION_READ)))
		return false;
	return addr >= lo && size <= r->size && addr - lo <= r->size - size;
}

static inline bool vm_access_ok(const struct bpfrt_run *run, uintptr_t stack_lo, uintptr_t stack_hi,
				uint64_t addr, uint64_t size, bool write)
{
	if (addr >= stack_lo && addr + size <= stack_hi && addr + size > addr)
		return true;
	for (uint32_t i = 0; i < run->nr_regions; i++)
		if (region_has(&run->regions[i], addr, size, write))
			return true;
	return false;
}

static int vm_fault(struct bpfrt_diag *diag, int err, uint32_t idx, const char *fmt, ...)
{
	if (diag) {
		va_list ap;
		diag->insn = (int32_t)idx;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

/* How far [addr, addr+size) lies outside [lo, hi); 0 if it overlaps it. */
static uint64_t distance(uint64_t addr, uint64_t size, uintptr_t lo, uintptr_t hi)
{
	if (addr + size <= lo)
		return lo - addr;
	if (addr >= hi)
		return addr - hi + 1;
	return 0;
}

/* Explain a rejected access relative to the nearest region (the stack is
 * reported relative to its top, where r10 points in the main frame). */
static int vm_fault_access(const struct bpfrt_run *run, struct bpfrt_diag *diag, uint32_t idx,
			   const struct bpf_insn *insn, uint64_t addr, uint32_t size, bool write,
			   uintptr_t stack_lo, uintptr_t stack_hi)
{
	const char *what = "stack";
	int64_t rel = (int64_t)(addr - stack_hi);
	uint64_t best = distance(addr, size, stack_lo, stack_hi);
	for (uint32_t i = 0; i < run->nr_regions; i++) {
		const struct bpfrt_region *r = &run->regions[i];
		uintptr_t lo = (uintptr_t)r->start;
		uint64_t d = distance(addr, size, lo, lo + r->size);
		if (d < best) {
			best = d;
			what = r->name ? r->name : "region";
			rel = (int64_t)(addr - lo);
		}
	}
	int base = write ? insn->dst_reg : insn->src_reg;
	if (best > 65536)
		return vm_fault(diag, -EFAULT, idx,
				"insn %u: invalid %s of %u bytes at 0x%llx (r%d%+d): not inside the stack, "
				"ctx, packet or any region of this run",
				idx, write ? "write" : "read", size, (unsigned long long)addr, base, insn->off);
	return vm_fault(diag, -EFAULT, idx, "insn %u: out-of-bounds %s of %u bytes at %s%+lld (r%d%+d)%s",
			idx, write ? "write" : "read", size, what, (long long)rel, base, insn->off,
			write && best == 0 ? ": the region is read-only" : "");
}

#define VM_CHECKED 0
#define VM_BUDGET 0
#define VM_LOOP_NAME bpfrt_vm_loop_fast
#include "vm/interp_loop.h"
#undef VM_CHECKED
#undef VM_BUDGET
#undef VM_LOOP_NAME

#define VM_CHECKED 1
#define VM_BUDGET 1
#define VM_LOOP_NAME bpfrt_vm_loop_checked
#include "vm/interp_loop.h"
#undef VM_CHECKED
#undef VM_BUDGET
#undef VM_LOOP_NAME

#define VM_CHECKED 0
#define VM_BUDGET 1
#define VM_LOOP_NAME bpfrt_vm_loop_budget
#include "vm/interp_loop.h"
#undef VM_CHECKED
#undef VM_BUDGET
#undef VM_LOOP_NAME

/* The loop for a run: checked, budget-only (an instruction limit without
 * checks), or the fast one. */
static int run_loop(const struct bpfrt_vm_prog *prog, const struct vm_insn *start, struct bpfrt_run *run,
		    uint64_t *regs, uint64_t *r0, struct bpfrt_diag *diag)
{
	if (run->checked)
		return bpfrt_vm_loop_checked(prog, start, run, regs, r0, diag);
	if (run->opts->insn_limit)
		return bpfrt_vm_loop_budget(prog, start, run, regs, r0, diag);
	return bpfrt_vm_loop_fast(prog, start, run, regs, r0, diag);
}

static int add_region(struct bpfrt_run *run, const char *name, void *start, size_t size,
		      uint32_t flags)
{
	if (!start || !size)
		return 0;
	if (run->nr_regions >= VM_MAX_REGIONS)
		return -ENOSPC;
	run->regions[run->nr_regions++] =
		(struct bpfrt_region){.name = name, .start = start, .size = size, .flags = flags};
	return 0;
}

int bpfrt_vm_run(const struct bpfrt_vm_prog *prog, const struct bpfrt_run_opts *opts, uint64_t *r0,
		 struct bpfrt_diag *diag)
{
	static const struct bpfrt_run_opts none = {.sz = sizeof(none)};
	if (!prog || !r0)
		return -EINVAL;
	if (!opts)
		opts = &none;
	if (opts->nr_args > 5)
		return vm_fault(diag, -EINVAL, 0, "at most 5 arguments (r1..r5), got %u", opts->nr_args);
	struct bpfrt_run run;
	memset(&run, 0, offsetof(struct bpfrt_run, regions));
	run.nr_exit_hooks = 0; /* after regions[]: the memset stops short of it */
	run.rt = prog->rt;
	run.opts = opts;
	run.checked = opts->flags & BPFRT_RUN_CHECKED;
	run.prog = prog;
	const uint32_t rw = BPFRT_REGION_READ | BPFRT_REGION_WRITE;
	/* Regions matter to checked runs only (bpfrt_run_access_ok is true
	 * for the others): a fast run skips filling the table. */
	int err = !run.checked ? 0 : add_region(&run, "ctx", opts->ctx, opts->ctx_size, rw);
	if (!err && run.checked)
		err = add_region(&run, "packet", opts->packet, opts->packet_size, rw);
	for (uint32_t i = 0; !err && run.checked && i < opts->nr_regions; i++)
		err = add_region(&run, opts->regions[i].name, opts->regions[i].start,
				 opts->regions[i].size, opts->regions[i].flags);
	if (err)
		return vm_fault(diag, err, 0, "too many memory regions (at most %d)", VM_MAX_REGIONS);

	uint64_t regs[11] = {0};
	regs[1] = (uintptr_t)opts->ctx;
	for (uint32_t i = 0; opts->args && i < opts->nr_args; i++)
		regs[1 + i] = opts->args[i];
	if (diag)
		diag->insn = -1, diag->msg[0] = 0;
	run.diag = diag;
	/* The JIT runs the fast mode only; checked and budgeted runs, and
	 * programs it cannot compile, stay on the interpreter. */
	err = BPFRT_JIT_FALLBACK;
	if ((opts->flags & BPFRT_RUN_JIT) && !run.checked && !opts->insn_limit)
		err = bpfrt_jit_run(prog, &run, regs, r0, diag);
	if (err == BPFRT_JIT_FALLBACK)
		err = run_loop(prog, prog->insns, &run, regs, r0, diag);
	/* Whatever helpers deferred to the end of the run (a map's read-side
	 * section, lpm_trie.c) ends now, fault or not; latest first. */
	while (run.nr_exit_hooks) {
		struct vm_exit_hook *h = &run.exit_hooks[--run.nr_exit_hooks];
		h->fn(h->arg);
	}
	/* A fault inside a callback ends the whole run. */
	return err ? err : run.cb_err;
}

#define VM_MAX_CALLBACK_DEPTH 8

int bpfrt_run_callback(struct bpfrt_run *run, uint64_t fn, const uint64_t args[5], uint64_t *r0)
{
	const struct bpfrt_vm_prog *prog = run->prog;
	const struct vm_insn *target = (const struct vm_insn *)(uintptr_t)fn;
	if (run->cb_err)
		return run->cb_err;
	if (target < prog->insns || target >= prog->insns + prog->cnt ||
	    (fn - (uintptr_t)prog->insns) % sizeof(struct vm_insn) || target->op == VM_OP_LDDW_HI)
		return -EINVAL;
	if (run->cb_depth >= VM_MAX_CALLBACK_DEPTH)
		return -E2BIG;
	uint64_t regs[11] = {0};
	memcpy(&regs[1], args, 5 * sizeof(uint64_t));
	/* The callback may touch its caller's stack (bpf_loop's ctx often
	 * lives there): in checked mode that stack becomes a region. */
	uintptr_t lo = run->stack_lo, hi = run->stack_hi;
	uint32_t nr = run->nr_regions;
	struct bpfrt_region caller = {.name = "caller stack", .start = (void *)lo, .size = hi - lo,
				      .flags = BPFRT_REGION_READ | BPFRT_REGION_WRITE};
	if (run->checked && add_region(run, caller.name, caller.start, caller.size, caller.flags))
		return -ENOSPC;
	run->cb_depth++;
	int err = run_loop(prog, target, run, regs, r0, run->diag);
	run->cb_depth--;
	run->stack_lo = lo;
	run->stack_hi = hi;
	run->nr_regions = nr;
	if (err && !run->cb_err)
		run->cb_err = err;
	return err;
}

struct bpfrt *bpfrt_run_runtime(const struct bpfrt_run *run)
{
	return run->rt;
}

void *bpfrt_run_user(const struct bpfrt_run *run)
{
	return run->opts->user;
}

struct bpfrt_task *bpfrt_run_task(const struct bpfrt_run *run)
{
	const struct bpfrt_run_opts *o = run->opts;
	if (o->sz < offsetof(struct bpfrt_run_opts, task) + sizeof(o->task) || !o->task ||
	    o->task->sz < sizeof(struct bpfrt_task))
		return NULL;
	return o->task;
}

bool bpfrt_run_checked(const struct bpfrt_run *run)
{
	return run->checked;
}

bool bpfrt_run_access_ok(const struct bpfrt_run *run, const void *ptr, size_t size, bool write)
{
	if (!run->checked)
		return true;
	uintptr_t a = (uintptr_t)ptr;
	if (a >= run->stack_lo && a + size <= run->stack_hi && a + size >= a)
		return true;
	for (uint32_t i = 0; i < run->nr_regions; i++)
		if (region_has(&run->regions[i], (uintptr_t)ptr, size, write))
			return true;
	return false;
}

int bpfrt_run_add_region(struct bpfrt_run *run, const struct bpfrt_region *region)
{
	return add_region(run, region->name, region->start, region->size, region->flags);
}

int bpfrt_run_on_exit(struct bpfrt_run *run, void (*fn)(void *arg), void *arg)
{
	for (uint32_t i = 0; i < run->nr_exit_hooks; i++)
		if (run->exit_hooks[i].fn == fn && run->exit_hooks[i].arg == arg)
			return 1;
	if (run->nr_exit_hooks >= VM_MAX_EXIT_HOOKS)
		return -ENOSPC;
	run->exit_hooks[run->nr_exit_hooks++] = (struct vm_exit_hook){.fn = fn, .arg = arg};
	return 0;
}
