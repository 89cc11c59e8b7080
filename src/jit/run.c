/* run.c — running a JIT image: the C side of a JIT run (stack, ctx, fault
 * messages identical to the interpreter's) and the out-of-line operations
 * the generated code calls (tail calls, callx resolution, legacy packet
 * loads).  Called from bpfrt_vm_run (vm/interp.c) for BPFRT_RUN_JIT.
 */
#include "jit/jit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef int (*jit_entry_fn)(struct jit_ctx *ctx, const uint64_t *regs, uintptr_t r10);

static int jit_fault(struct bpfrt_diag *diag, int err, int32_t idx, const char *fmt, ...)
{
	if (diag) {
		va_list ap;
		diag->insn = idx;
		va_start(ap, fmt);
		vsnprintf(diag->msg, sizeof(diag->msg), fmt, ap);
		va_end(ap);
	}
	return err;
}

int bpfrt_jit_run(const struct bpfrt_vm_prog *prog, struct bpfrt_run *run, uint64_t regs[11],
		  uint64_t *r0, struct bpfrt_diag *diag)
{
	const struct jit_image *img = bpfrt_jit_get(prog);
	if (!img || !img->mem)
		return BPFRT_JIT_FALLBACK;
	uint8_t stack[BPFRT_MAX_FRAMES * BPFRT_STACK_SIZE] __attribute__((aligned(16)));
	const uintptr_t lo = (uintptr_t)stack, hi = lo + sizeof(stack);
	run->stack_lo = lo;
	run->stack_hi = hi;
	struct jit_ctx c = {.run = run, .stack_lo = lo, .cur = img};
	jit_entry_fn entry = (jit_entry_fn)(uintptr_t)(img->mem + img->entry_off);
	if (!entry(&c, regs, hi)) {
		*r0 = c.r0;
		return 0;
	}
	const struct vm_insn *in = &c.cur->prog->insns[c.idx];
	uint32_t idx = (uint32_t)c.idx;
	switch (c.kind) {
	case JIT_F_PKT_MISS:
		*r0 = 0;
		return 0;
	case JIT_F_CB_ERR:
		return run->cb_err;
	case JIT_F_FELL:
		return jit_fault(diag, -EFAULT, c.idx,
				 "insn %u: control reached a slot that is not an instruction", idx);
	case JIT_F_HELPER:
		return jit_fault(diag, -EINVAL, c.idx, "insn %u: call to unknown helper %d", idx, in->imm);
	case JIT_F_DEPTH:
		return jit_fault(diag, -E2BIG, c.idx, "insn %u: call depth exceeds %d frames", idx,
				 BPFRT_MAX_FRAMES);
	case JIT_F_CALLX:
		return jit_fault(diag, -EFAULT, c.idx,
				 "insn %u: callx r%d = 0x%llx is neither a function of this program nor a helper",
				 idx, in->dst, (unsigned long long)c.val);
	case JIT_F_TAIL:
	default:
		return jit_fault(diag, -ENOTSUP, c.idx,
				 "insn %u: the tail call's target cannot be compiled by the JIT", idx);
	}
}

uintptr_t bpfrt_jit_tail_call(struct jit_ctx *c, uint64_t r2, uint64_t r3)
{
	const struct bpfrt_run_opts *ro = c->run->opts;
	const struct bpfrt_vm_prog *next = NULL;
	if (ro->tail_call && c->tail_calls < BPFRT_MAX_TAIL_CALLS)
		next = ro->tail_call(c->run, r2, (uint32_t)r3);
	if (!next)
		return 0;
	const struct jit_image *img = bpfrt_jit_get(next);
	if (!img || !img->mem) {
		c->kind = JIT_F_TAIL;
		c->idx = -1;
		for (uint32_t i = 0; i < c->cur->cnt; i++) /* name the tail-call slot */
			if (c->cur->prog->insns[i].op == VM_OP_TAIL_CALL) {
				c->idx = (int32_t)i;
				break;
			}
		if (c->idx < 0)
			c->idx = 0;
		return 1;
	}
	c->tail_calls++;
	c->run->prog = next;
	c->cur = img;
	return (uintptr_t)img->mem + img->addrs[0];
}

uintptr_t bpfrt_jit_callx_resolve(struct jit_ctx *c, uint64_t t, uint32_t idx)
{
	const struct bpfrt_vm_prog *cur = c->cur->prog;
	uintptr_t base = (uintptr_t)cur->insns;
	if (t >= base && t < base + cur->cnt * sizeof(struct vm_insn) &&
	    (t - base) % sizeof(struct vm_insn) == 0) {
		uint32_t slot = (uint32_t)((t - base) / sizeof(struct vm_insn));
		if (cur->insns[slot].op != VM_OP_LDDW_HI) {
			c->callx_helper = 0;
			return (uintptr_t)c->cur->mem + c->cur->addrs[slot];
		}
	}
	const struct bpfrt_helper *helpers = c->run->rt->helpers;
	if (t < BPFRT_MAX_HELPERS && helpers[t].fn) {
		c->callx_helper = 1;
		return (uintptr_t)helpers[t].fn;
	}
	c->kind = JIT_F_CALLX;
	c->idx = (int32_t)idx;
	c->val = t;
	return 0;
}

/* Legacy packet loads, as the interpreter: network byte order to host; out
 * of bounds ends the program with r0 = 0. */
uint64_t bpfrt_jit_ld_pkt(struct jit_ctx *c, uint64_t src, int32_t imm, uint32_t mode)
{
	const struct bpfrt_run_opts *ro = c->run->opts;
	uint32_t size = mode & 0xff;
	int64_t o = (mode & 0x100) ? (int64_t)(int32_t)((uint32_t)src + (uint32_t)imm) : (int64_t)imm;
	if (o < 0 || !ro->packet || (uint64_t)o + size > ro->packet_size) {
		c->pkt_miss = 1;
		c->kind = JIT_F_PKT_MISS;
		c->r0 = 0;
		return 0;
	}
	const uint8_t *p = (const uint8_t *)ro->packet + o;
	if (size == 1)
		return p[0];
	if (size == 2) {
		uint16_t v;
		memcpy(&v, p, 2);
		return __builtin_bswap16(v);
	}
	uint32_t v;
	memcpy(&v, p, 4);
	return __builtin_bswap32(v);
}
