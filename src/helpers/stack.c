/* stack.c — bpf_get_stack and bpf_get_stackid (into a STACK_TRACE map,
 * maps/stack_trace.c): the current task's call stack through frame
 * pointers, with the kernel's rules (__bpf_get_stack): flags are the skip
 * count (BPF_F_SKIP_FIELD_MASK) and BPF_F_USER_STACK / BPF_F_USER_BUILD_ID
 * only (-EINVAL otherwise); a build-id request without USER_STACK is
 * -EINVAL; size must be a multiple of the element (8 bytes, or struct
 * bpf_stack_build_id); fewer frames than the skip count is -EFAULT; the
 * copied bytes are returned and the rest of the buffer zeroed; on an error
 * the whole buffer is zeroed.
 *
 * User space has no kernel stack: a kernel stack (no BPF_F_USER_STACK) has
 * no frames, as the kernel's for a probe hit in user mode.  The user stack
 * starts at the registers' ip and follows the saved-rbp chain (perf's
 * frame-pointer walk): the registers are the context for KPROBE programs
 * (uprobes; struct pt_regs) and, for other types, the run's task's
 * registers when its hook recorded them (struct bpfrt_task kmem[1]); with
 * neither, -EFAULT (the kernel's answer for a task without user regs).
 * At the first instruction of a directly called function the return
 * address on the stack comes second, as Linux 6.12+ does for uprobes at a
 * function's entry.
 * Memory is the task's (process_vm_readv), else this process's.  Build ids
 * are not read: every element has status BPF_STACK_BUILD_ID_IP and the
 * address, the kernel's own fallback.
 */
#define _GNU_SOURCE
#include "helpers/helpers.h"
#include "helpers/tracing.h"
#include "core/prog.h"
#include "maps/map.h"
#include "vm/vm.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#define PERF_MAX_STACK 127 /* sysctl kernel.perf_event_max_stack's default */
#define PT_REGS_SIZE (21 * 8)
#define REG_BP 4
#define REG_IP 16
#define REG_SP 19

static bool read_word(const struct bpfrt_task *t, uint64_t addr, uint64_t *v)
{
	if (t) {
		struct iovec l = {.iov_base = v, .iov_len = 8};
		struct iovec r = {.iov_base = (void *)(uintptr_t)addr, .iov_len = 8};
		return process_vm_readv(t->tid, &l, 1, &r, 1, 0) == 8;
	}
	return bpfrt_read_nofault(v, (const void *)(uintptr_t)addr, 8) == 0;
}

/* Is ip the first instruction of a function its caller entered by a direct
 * call — the return address on top of the stack follows a `call rel32` to
 * ip?  There the caller's frame is not yet on the rbp chain, and the kernel
 * (Linux 6.12, is_uprobe_at_func_entry) adds the return address itself. */
static bool at_call_entry(const struct bpfrt_task *t, const uint64_t *regs, uint64_t *ret)
{
	uint64_t before;
	if (!read_word(t, regs[REG_SP], ret) || *ret < 8 || !read_word(t, *ret - 8, &before))
		return false;
	uint8_t b[8];
	memcpy(b, &before, 8);
	int32_t rel;
	memcpy(&rel, b + 4, 4);
	return b[3] == 0xe8 && *ret + (uint64_t)(int64_t)rel == regs[REG_IP];
}

/* ips[0..max) from regs' ip then each frame's return address. */
static uint32_t walk_user(const struct bpfrt_task *t, const uint64_t *regs, uint64_t *ips, uint32_t max)
{
	uint32_t n = 0;
	if (!max)
		return 0;
	ips[n++] = regs[REG_IP];
	uint64_t entry_ret;
	if (n < max && at_call_entry(t, regs, &entry_ret))
		ips[n++] = entry_ret;
	uint64_t fp = regs[REG_BP];
	while (n < max && fp && !(fp & 7)) {
		uint64_t frame[2];
		if (!read_word(t, fp, &frame[0]) || !read_word(t, fp + 8, &frame[1]) || !frame[1])
			break;
		ips[n++] = frame[1];
		/* frames live higher up the stack: a chain that does not rise
		 * is not a frame chain */
		if (frame[0] <= fp)
			break;
		fp = frame[0];
	}
	return n;
}

/* The user registers of this run, or NULL. */
static const uint64_t *run_regs(struct bpfrt_run *run, uint64_t ctx)
{
	const struct bpfrt_vm_prog *vp = run->prog;
	const struct bpfrt_prog *p = vp ? vp->owner : NULL;
	if (p && (p->type == BPF_PROG_TYPE_KPROBE || p->type == BPF_PROG_TYPE_PERF_EVENT) && ctx)
		return (const uint64_t *)(uintptr_t)ctx;
	const struct bpfrt_task *t = bpfrt_run_task(run);
	if (t && t->kmem[1] && t->kmem_size[1] >= PT_REGS_SIZE)
		return t->kmem[1];
	return NULL;
}

static uint64_t h_get_stack(uint64_t ctx, uint64_t buf, uint64_t size, uint64_t flags, uint64_t e,
			    struct bpfrt_run *run)
{
	(void)e;
	uint32_t n = (uint32_t)size;
	uint8_t *out = (uint8_t *)(uintptr_t)buf;
	if (!bpfrt_run_access_ok(run, out, n, true))
		return (uint64_t)-EFAULT;
	int err = -EINVAL;
	bool user = flags & BPF_F_USER_STACK, build_id = flags & BPF_F_USER_BUILD_ID;
	uint32_t skip = (uint32_t)(flags & BPF_F_SKIP_FIELD_MASK);
	uint32_t elem = user && build_id ? (uint32_t)sizeof(struct bpf_stack_build_id) : 8u;
	if (flags & ~(uint64_t)(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_USER_BUILD_ID))
		goto clear;
	if (!user && build_id)
		goto clear;
	if (n % elem)
		goto clear;
	uint32_t num = n / elem, max = num + skip;
	if (max > PERF_MAX_STACK)
		max = PERF_MAX_STACK;
	uint64_t ips[PERF_MAX_STACK];
	uint32_t got = 0;
	if (user) {
		const uint64_t *regs = run_regs(run, ctx);
		if (!regs) {
			err = -EFAULT;
			goto clear;
		}
		got = walk_user(bpfrt_run_task(run), regs, ips, max);
	}
	if (got < skip) {
		err = -EFAULT;
		goto clear;
	}
	got -= skip;
	if (got > num)
		got = num;
	if (build_id) {
		struct bpf_stack_build_id *ids = (struct bpf_stack_build_id *)out;
		memset(out, 0, n);
		for (uint32_t i = 0; i < got; i++) {
			ids[i].status = BPF_STACK_BUILD_ID_IP;
			ids[i].ip = ips[skip + i];
		}
	} else {
		memcpy(out, ips + skip, (size_t)got * 8);
		memset(out + (size_t)got * 8, 0, n - (size_t)got * 8);
	}
	return (uint64_t)got * elem;
clear:
	memset(out, 0, n);
	return (uint64_t)(int64_t)err;
}

/* bpf_get_stackid(ctx, map, flags): the stack into a STACK_TRACE map, its
 * id back; the kernel's rules (bpf_get_stackid): flags are the skip count,
 * BPF_F_USER_STACK, BPF_F_FAST_STACK_CMP, BPF_F_REUSE_STACKID (-EINVAL
 * otherwise); no frames past the skip is -EFAULT; a different stack in the
 * bucket is -EEXIST without REUSE_STACKID. */
static uint64_t h_get_stackid(uint64_t ctx, uint64_t map_ptr, uint64_t flags, uint64_t d, uint64_t e,
			      struct bpfrt_run *run)
{
	(void)d, (void)e;
	const struct bpfrt_prog *p = run->prog ? run->prog->owner : NULL;
	struct bpfrt_map *map = (struct bpfrt_map *)(uintptr_t)map_ptr;
	if (!p || !bpfrt_prog_uses_map(p, map) || map->type != BPF_MAP_TYPE_STACK_TRACE)
		return (uint64_t)-EINVAL;
	if (flags & ~(uint64_t)(BPF_F_SKIP_FIELD_MASK | BPF_F_USER_STACK | BPF_F_FAST_STACK_CMP | BPF_F_REUSE_STACKID))
		return (uint64_t)-EINVAL;
	uint32_t skip = (uint32_t)(flags & BPF_F_SKIP_FIELD_MASK);
	uint64_t ips[PERF_MAX_STACK];
	uint32_t got = 0;
	if (flags & BPF_F_USER_STACK) {
		const uint64_t *regs = run_regs(run, ctx);
		if (!regs)
			return (uint64_t)-EFAULT;
		got = walk_user(bpfrt_run_task(run), regs, ips, PERF_MAX_STACK);
	}
	if (got <= skip)
		return (uint64_t)-EFAULT;
	return (uint64_t)(int64_t)bpfrt_stack_trace_store(map, ips + skip, got - skip, flags);
}

void bpfrt_helpers_register_stack(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_get_stack, "get_stack", h_get_stack);
	bpfrt_register_helper(rt, BPF_FUNC_get_stackid, "get_stackid", h_get_stackid);
}
