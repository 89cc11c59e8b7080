/* x86_64.c — lowering of a pre-decoded program (vm/vm.h) to x86-64, the
 * pass loop and the executable image.
 *
 * Register map as the kernel's: r0=rax r1=rdi r2=rsi r3=rdx r4=rcx r5=r8
 * (helper arguments need no shuffling) r6=rbx r7=r13 r8=r14 r9=r15
 * r10=rbp; r12 holds the struct jit_ctx of the run, r9/r10/r11 are scratch.
 * Every exit is a `ret`: the entry calls the body, local calls push r6-r9
 * and call, so frames nest on the native stack while the eBPF stack
 * (BPFRT_MAX_FRAMES x 512 bytes) is the run's, as in the interpreter.
 * Faults store (kind, slot) in the ctx and jump to the image's abort stub,
 * which restores the entry's rsp.  Passes repeat until every slot's offset
 * is unchanged (jumps shrink to rel8 where they fit); the image is then
 * copied into an RW mapping and switched to RX (never W and X at once).
 */
#include "jit/jit.h"
#include "jit/x86_emit.h"

#include "core/prog.h"
#include "maps/map.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

/* Index 11 is not an eBPF register (validate refuses it in programs): it
 * names the blinding register, r10, when a hardened compile rewrites an
 * instruction's immediate into a register operand. */
#define BLIND_REG 11
static const uint8_t reg_map[12] = {
	X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8, X86_RBX, X86_R13, X86_R14, X86_R15, X86_RBP,
	X86_R10,
};

#define CTX X86_R12
#define CTX_OFF(f) ((int32_t)offsetof(struct jit_ctx, f))

struct jit_state {
	struct x86_buf b;
	const struct bpfrt_vm_prog *prog;
	uint32_t *addrs, *prev; /* this pass, the previous one (cnt + 1 entries) */
	uint8_t *targeted;      /* LDDW_HI slots some jump lands on */
	uint8_t *map_of;        /* the map r1 holds at each call (map_consts.c), or NULL */
	/* Constant blinding ($BPFRT_JIT_HARDEN=1): the register form of each
	 * immediate form (BPFRT_OP_COUNT: none), and this compile's key. */
	uint16_t *xrow;
	uint64_t blind_key;
	uint8_t *save;          /* r6-r9 each local call target writes (call_save_masks), or NULL */
	bool bmi2;              /* the CPU has BMI2: register shifts as shlx/shrx/sarx */
	bool forced_long;
	size_t abort_off, epilogue_off;
	uint32_t i; /* slot being lowered */
	char *err;  /* reason buffer (160 bytes) */
	bool failed;
};

static void fail(struct jit_state *st, const char *fmt, ...)
{
	if (st->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->err, 160, fmt, ap);
	va_end(ap);
	st->failed = true;
}

/* Offset of slot t: exact for slots already emitted in this pass, the
 * previous pass's estimate for later ones. */
/* Where slot t starts, seen from the instruction being emitted: exact for
 * slots already emitted in this pass; ahead, this instruction's start plus
 * the previous pass's distance to t.  Sizes only shrink from pass to pass,
 * so that distance never underestimates, and using it (rather than the
 * previous pass's absolute offset, which misses everything this pass
 * already shrank before here) lets a long program converge in a few
 * passes instead of one shrinking region per pass. */
static size_t slot_off(const struct jit_state *st, uint32_t t)
{
	if (t <= st->i)
		return st->addrs[t];
	return st->addrs[st->i] + (st->prev[t] - st->prev[st->i]);
}

static void store_ctx32(struct x86_buf *b, int32_t off, uint32_t v)
{
	x86_op_rm(b, 0, 0xc7, 0, CTX, off);
	x86_u32(b, v);
}

static void emit_fault(struct jit_state *st, enum jit_fault kind)
{
	store_ctx32(&st->b, CTX_OFF(kind), kind);
	store_ctx32(&st->b, CTX_OFF(idx), st->i);
	x86_jmp(&st->b, st->abort_off, st->forced_long);
}

/* Fault unless condition cc holds (the fault path is skipped by a short
 * jump on cc). */
static void fault_unless(struct jit_state *st, enum x86_cc cc, enum jit_fault kind)
{
	size_t site = x86_jcc8_fwd(&st->b, cc);
	emit_fault(st, kind);
	x86_bind8(&st->b, site);
}

/* Abort (kind already in the ctx) unless cc holds. */
static void abort_unless(struct jit_state *st, enum x86_cc cc)
{
	size_t site = x86_jcc8_fwd(&st->b, cc);
	x86_jmp(&st->b, st->abort_off, st->forced_long);
	x86_bind8(&st->b, site);
}

static void emit_bswap(struct x86_buf *b, bool w, int r)
{
	if (w || (r & 8))
		x86_u8(b, (uint8_t)(0x40 | (w ? 8 : 0) | ((r & 8) ? 1 : 0)));
	x86_u8(b, 0x0f);
	x86_u8(b, (uint8_t)(0xc8 + (r & 7)));
}

/* div/mod/sdiv/smod with the ISA's answers: x/0 = 0, x%0 = x,
 * INT_MIN/-1 = INT_MIN (= -x), x%-1 = 0.  rax and rdx (r0, r3) are kept
 * in r9/r10; the operand goes to r11 and so does the result. */
static void emit_div(struct jit_state *st, bool w, bool sign, bool mod, bool is_k, int32_t imm,
		     int dst, int src)
{
	struct x86_buf *b = &st->b;
	if (is_k) {
		uint64_t bv = w ? (uint64_t)(int64_t)imm : (uint32_t)imm;
		if (bv == 0) { /* a constant zero divisor: 0, or dst unchanged */
			if (!mod)
				x86_alu_rr(b, false, X86_XOR, dst, dst);
			else if (!w)
				x86_mov_rr(b, false, dst, dst);
			return;
		}
		if (sign && imm == -1) {
			if (mod)
				x86_alu_rr(b, false, X86_XOR, dst, dst);
			else
				x86_op_rr(b, w ? X86_W : 0, 0xf7, 3, dst); /* neg */
			return;
		}
		x86_mov_imm64(b, X86_R11, bv);
	} else {
		x86_mov_rr(b, w, X86_R11, src);
	}
	x86_mov_rr(b, true, X86_R9, X86_RAX);
	x86_mov_rr(b, true, X86_R10, X86_RDX);
	if (dst != X86_RAX)
		x86_mov_rr(b, true, X86_RAX, dst);
	size_t zero = 0, done1 = 0, norm = 0;
	bool checks = !is_k;
	if (checks) {
		x86_test_rr(b, w, X86_R11, X86_R11);
		zero = x86_jcc8_fwd(b, X86_CC_E);
		if (sign) {
			x86_alu_ri(b, w, X86_CMP, X86_R11, -1);
			norm = x86_jcc8_fwd(b, X86_CC_NE);
			if (mod) {
				x86_alu_rr(b, false, X86_XOR, X86_R11, X86_R11);
			} else {
				x86_op_rr(b, w ? X86_W : 0, 0xf7, 3, X86_RAX); /* neg */
				x86_mov_rr(b, w, X86_R11, X86_RAX);
			}
			done1 = x86_jmp8_fwd(b);
			x86_bind8(b, norm);
		}
	}
	if (sign) {
		if (w)
			x86_u8(b, 0x48);
		x86_u8(b, 0x99); /* cqo / cdq */
		x86_op_rr(b, w ? X86_W : 0, 0xf7, 7, X86_R11); /* idiv */
	} else {
		x86_alu_rr(b, false, X86_XOR, X86_RDX, X86_RDX);
		x86_op_rr(b, w ? X86_W : 0, 0xf7, 6, X86_R11); /* div */
	}
	x86_mov_rr(b, w, X86_R11, mod ? X86_RDX : X86_RAX);
	if (checks) {
		size_t done2 = x86_jmp8_fwd(b);
		x86_bind8(b, zero);
		if (mod)
			x86_mov_rr(b, w, X86_R11, X86_RAX);
		else
			x86_alu_rr(b, false, X86_XOR, X86_R11, X86_R11);
		x86_bind8(b, done2);
		if (sign)
			x86_bind8(b, done1);
	}
	x86_mov_rr(b, true, X86_RAX, X86_R9);
	x86_mov_rr(b, true, X86_RDX, X86_R10);
	x86_mov_rr(b, true, dst, X86_R11);
}

static void emit_shift(struct jit_state *st, bool w, enum x86_shift op, bool is_k, int32_t imm,
		       int dst, int src)
{
	struct x86_buf *b = &st->b;
	if (is_k) {
		uint8_t n = (uint8_t)(imm & (w ? 63 : 31));
		if (n)
			x86_shift_ri(b, w, op, dst, n);
		else if (!w)
			x86_mov_rr(b, false, dst, dst);
		return;
	}
	if (st->bmi2) { /* no rcx juggling: shlx dst, dst, src */
		x86_shiftx(b, w, op, dst, dst, src);
	} else if (src == X86_RCX) {
		x86_shift_cl(b, w, op, dst);
	} else if (dst == X86_RCX) {
		x86_mov_rr(b, true, X86_R11, X86_RCX);
		x86_mov_rr(b, true, X86_RCX, src);
		x86_shift_cl(b, w, op, X86_R11);
		x86_mov_rr(b, true, X86_RCX, X86_R11);
	} else {
		x86_mov_rr(b, true, X86_R11, X86_RCX);
		x86_mov_rr(b, true, X86_RCX, src);
		x86_shift_cl(b, w, op, dst);
		x86_mov_rr(b, true, X86_RCX, X86_R11);
	}
}

/* atomic fetch-or/and/xor: a cmpxchg loop; the old value goes to src. */
static void emit_fetch_loop(struct jit_state *st, bool w, enum x86_alu op, int dst, int16_t off, int src)
{
	struct x86_buf *b = &st->b;
	x86_mov_rr(b, true, X86_R10, X86_RAX);
	x86_lea(b, X86_R11, dst, off);
	x86_load(b, w, X86_RAX, X86_R11, 0);
	size_t loop = b->len;
	x86_mov_rr(b, true, X86_R9, X86_RAX);
	x86_alu_rr(b, w, op, X86_R9, src == X86_RAX ? X86_R10 : src);
	x86_op_rm(b, X86_LOCK | (w ? X86_W : 0), 0x0fb1, X86_R9, X86_R11, 0);
	x86_jcc(b, X86_CC_NE, loop, false);
	if (src != X86_RAX) {
		x86_mov_rr(b, true, src, X86_RAX);
		x86_mov_rr(b, true, X86_RAX, X86_R10);
	}
}

static const int caller_saved[6] = {X86_RAX, X86_RDI, X86_RSI, X86_RDX, X86_RCX, X86_R8};

static void push_caller_saved(struct x86_buf *b, bool keep_rax)
{
	for (int k = 0; k < 6; k++)
		x86_push(b, k == 0 && !keep_rax ? X86_R9 : caller_saved[k]);
}

static void pop_caller_saved(struct x86_buf *b, bool keep_rax)
{
	for (int k = 5; k >= 0; k--)
		x86_pop(b, k == 0 && !keep_rax ? X86_R9 : caller_saved[k]);
}

/* r6-r9 as x86 registers, in push order. */
static const int callee_saved[4] = {X86_RBX, X86_R13, X86_R14, X86_R15};

/* A local call: the r6-r9 the callee may write (mask bit k: r6 + k, see
 * callee_writes) saved on the native stack, r10 moves down a frame, the
 * depth limit checked as the interpreter does.  rsp moves by a multiple of
 * 16 in all (pushes, padding, the return address), so the callee keeps
 * the caller's alignment for its helper calls. */
static void local_call_enter(struct jit_state *st, uint8_t mask)
{
	struct x86_buf *b = &st->b;
	int pushed = 0;
	for (int k = 0; k < 4; k++)
		if (mask & (1u << k)) {
			x86_push(b, callee_saved[k]);
			pushed++;
		}
	x86_alu_ri(b, true, X86_SUB, X86_RBP, BPFRT_STACK_SIZE);
	x86_op_rm(b, X86_W, 0x3b, X86_RBP, CTX, CTX_OFF(stack_lo)); /* cmp rbp, [stack_lo] */
	fault_unless(st, X86_CC_A, JIT_F_DEPTH);
	if (!(pushed & 1))
		x86_alu_ri(b, true, X86_SUB, X86_RSP, 8);
}

static void local_call_leave(struct jit_state *st, uint8_t mask)
{
	struct x86_buf *b = &st->b;
	if (!(__builtin_popcount(mask) & 1))
		x86_alu_ri(b, true, X86_ADD, X86_RSP, 8);
	x86_alu_ri(b, true, X86_ADD, X86_RBP, BPFRT_STACK_SIZE);
	for (int k = 3; k >= 0; k--)
		if (mask & (1u << k))
			x86_pop(b, callee_saved[k]);
}

/* Which of r6-r9 (bit k: r6 + k) code reachable from slot entry may
 * write before it returns, following jumps and fall-through but not into
 * nested local calls (their call sites save what those callees write).
 * A tail call (the next program returns here) or anything unexpected
 * counts as writing all four.  seen: cnt + 1 bytes of scratch. */
static uint8_t callee_writes(const struct bpfrt_vm_prog *prog, uint32_t entry, uint8_t *seen, uint32_t *stack)
{
	memset(seen, 0, prog->cnt + 1);
	uint32_t sp = 0;
	uint8_t mask = 0;
	stack[sp++] = entry;
	seen[entry] = 1;
	while (sp) {
		uint32_t i = stack[--sp];
		const struct vm_insn *in = &prog->insns[i];
		uint16_t op = in->op;
		if (op == VM_OP_TAIL_CALL)
			return 0xf;
		if (op == BPFRT_OP_EXIT || op == VM_OP_FELL_OFF || op == VM_OP_LDDW_HI)
			continue;
		bool jump = false, cond = false;
		int64_t rel = 0;
		if (op < BPFRT_OP_COUNT) {
			const struct bpfrt_opcode_info *oc = &bpfrt_opcodes[op];
			if ((oc->flags & BPFRT_OPF_WRITE_DST) && in->dst >= 6 && in->dst <= 9)
				mask |= (uint8_t)(1u << (in->dst - 6));
			if (oc->form == BPFRT_F_ATOMIC && in->src >= 6 && in->src <= 9)
				mask |= (uint8_t)(1u << (in->src - 6));
			jump = (oc->flags & BPFRT_OPF_JUMP) && op != BPFRT_OP_CALL_LOCAL;
			cond = oc->flags & BPFRT_OPF_COND;
			rel = op == BPFRT_OP_JA32 ? in->imm : in->off;
		} else if (op == VM_OP_LDDW_FUNC) {
			if (in->dst >= 6 && in->dst <= 9)
				mask |= (uint8_t)(1u << (in->dst - 6));
		} else {
			return 0xf;
		}
		uint32_t next[2], n = 0;
		if (jump) {
			int64_t t = (int64_t)i + rel + 1;
			if (t < 0 || t > (int64_t)prog->cnt)
				return 0xf;
			next[n++] = (uint32_t)t;
		}
		if (!jump || cond)
			next[n++] = i + (op == BPFRT_OP_LDDW || op == VM_OP_LDDW_FUNC ? 2 : 1);
		for (uint32_t k = 0; k < n; k++)
			if (next[k] <= prog->cnt && !seen[next[k]]) {
				seen[next[k]] = 1;
				stack[sp++] = next[k];
			}
	}
	return mask;
}

/* save[t] for every local call target t: the callee's written r6-r9. */
static uint8_t *call_save_masks(const struct bpfrt_vm_prog *prog)
{
	uint32_t cnt = prog->cnt;
	uint8_t *save = malloc(cnt + 1), *seen = malloc(cnt + 1);
	uint32_t *stack = malloc((cnt + 1) * sizeof(*stack));
	if (!save || !seen || !stack) {
		free(save);
		save = NULL;
		goto out;
	}
	memset(save, 0xf, cnt + 1);
	for (uint32_t i = 0; i < cnt; i++) {
		if (prog->insns[i].op != BPFRT_OP_CALL_LOCAL)
			continue;
		int64_t t = (int64_t)i + prog->insns[i].imm + 1;
		if (t >= 0 && t < (int64_t)cnt)
			save[t] = callee_writes(prog, (uint32_t)t, seen, stack);
	}
out:
	free(seen);
	free(stack);
	return save;
}

/* r0 = lookup of key r2 in an ARRAY map, inline as the kernel's
 * array_map_gen_lookup: NULL past max_entries, else the element at
 * data + index * round_up(value_size, 8) (array.c's layout). */
static void emit_array_lookup(struct x86_buf *b, const struct bpfrt_map *map)
{
	uint32_t stride = bpfrt_round_up8(map->value_size);
	x86_load(b, false, X86_RAX, X86_RSI, 0); /* the u32 index */
	x86_alu_ri(b, false, X86_CMP, X86_RAX, (int32_t)map->max_entries);
	size_t miss = x86_jcc8_fwd(b, X86_CC_AE);
	if (!(stride & (stride - 1))) {
		x86_shift_ri(b, true, X86_SHL, X86_RAX, (uint8_t)__builtin_ctz(stride));
	} else {
		x86_op_rr(b, X86_W, 0x69, X86_RAX, X86_RAX); /* imul rax, rax, imm32 */
		x86_u32(b, stride);
	}
	x86_mov_imm64(b, X86_R11, (uint64_t)(uintptr_t)map->data);
	x86_alu_rr(b, true, X86_ADD, X86_RAX, X86_R11);
	size_t done = x86_jmp8_fwd(b);
	x86_bind8(b, miss);
	x86_alu_rr(b, false, X86_XOR, X86_RAX, X86_RAX);
	x86_bind8(b, done);
}

/* A map helper whose map is known here (map_consts.c) and still the
 * built-in one: the checks h_map_*_elem would make at run time are made
 * now (the map is one of the program's, its flags and family fixed), and
 * the family's operation is called directly, or inlined for arrays, as
 * the kernel does after its verifier.  Only fast-mode runs use the JIT,
 * where the helpers' key/value range checks pass.  The result is exactly
 * the helper's; no callback can run, so no cb_err check.  False: emit the
 * generic helper call. */
static bool emit_map_call(struct jit_state *st, const struct vm_insn *in)
{
	uint32_t id = (uint32_t)in->imm;
	if (!st->map_of || st->map_of[st->i] == JIT_MAP_UNKNOWN || id >= BPFRT_MAX_HELPERS)
		return false;
	bpfrt_helper_fn builtin = bpfrt_helpers_map_builtin(id);
	if (!builtin || st->prog->rt->helpers[id].fn != builtin)
		return false;
	const struct bpfrt_prog *owner = st->prog->owner;
	struct bpfrt_map *map = owner->maps[st->map_of[st->i]];
	struct x86_buf *b = &st->b;
	const void *fn = NULL;
	int64_t err = 0;
	switch (id) {
	case BPF_FUNC_map_lookup_elem:
		if (!map->ops->lookup)
			return false;
		if (map->type == BPF_MAP_TYPE_ARRAY && map->ops == &bpfrt_array_map_ops) {
			emit_array_lookup(b, map);
			return true;
		}
		x86_mov_imm64(b, X86_RDI, (uint64_t)(uintptr_t)map);
		if (map->ops->lookup_run) {
			x86_load(b, true, X86_RDX, CTX, CTX_OFF(run));
			x86_call_abs(b, (const void *)map->ops->lookup_run);
		} else {
			x86_call_abs(b, (const void *)map->ops->lookup);
		}
		return true;
	case BPF_FUNC_map_update_elem:
		fn = (const void *)map->ops->update;
		err = (map->flags & BPF_F_RDONLY_PROG) ? -EPERM : !fn ? -ENOTSUPP : 0;
		break;
	case BPF_FUNC_map_delete_elem:
		fn = (const void *)map->ops->delete;
		err = (map->flags & BPF_F_RDONLY_PROG) ? -EPERM : !fn ? -ENOTSUPP : 0;
		break;
	default:
		return false;
	}
	if (err) {
		x86_mov_imm64(b, X86_RAX, (uint64_t)err);
		return true;
	}
	/* update(map, key, value, flags, from_user = false): r2-r4 are in
	 * place; delete(map, key) ignores the rest.  int result, sign-extended. */
	x86_mov_imm64(b, X86_RDI, (uint64_t)(uintptr_t)map);
	x86_alu_rr(b, false, X86_XOR, X86_R8, X86_R8);
	x86_call_abs(b, fn);
	x86_op_rr(b, X86_W, 0x63, X86_RAX, X86_RAX); /* movsxd rax, eax */
	return true;
}

static enum x86_cc jmp_cc(uint16_t op)
{
	switch (op) {
#define J(N, CC)                   \
	case BPFRT_OP_##N##_K:     \
	case BPFRT_OP_##N##_X:     \
	case BPFRT_OP_##N##32_K:   \
	case BPFRT_OP_##N##32_X:   \
		return CC;
		J(JEQ, X86_CC_E)
		J(JNE, X86_CC_NE)
		J(JGT, X86_CC_A)
		J(JGE, X86_CC_AE)
		J(JLT, X86_CC_B)
		J(JLE, X86_CC_BE)
		J(JSET, X86_CC_NE)
		J(JSGT, X86_CC_G)
		J(JSGE, X86_CC_GE)
		J(JSLT, X86_CC_L)
		J(JSLE, X86_CC_LE)
#undef J
	default:
		return X86_CC_E;
	}
}

static void emit_insn(struct jit_state *st, const struct vm_insn *in);

/* The blinding mask of the slot being lowered: fixed for the whole
 * compile (every pass emits the same bytes) and different per slot. */
static uint64_t blind_mask(const struct jit_state *st)
{
	uint64_t x = st->blind_key ^ ((uint64_t)st->i * 0x9e3779b97f4a7c15ull);
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 29;
	return x;
}

/* x86 register r = v, without v's bytes in the code: r = v ^ m, then
 * r ^= m.  A 32-bit m sign-extends like the ISA's immediates do, and sign
 * extension commutes with xor, so sext(imm ^ m) ^ sext(m) = sext(imm). */
static void blind_load(struct jit_state *st, int r, uint64_t v, bool imm64)
{
	struct x86_buf *b = &st->b;
	uint64_t m = blind_mask(st);
	if (imm64) {
		x86_mov_imm64(b, r, v ^ m);
		x86_mov_imm64(b, X86_R11, m);
		x86_alu_rr(b, true, X86_XOR, r, X86_R11);
		return;
	}
	int32_t m32 = (int32_t)(uint32_t)m | 0x01000000; /* never an imm8 (whose bytes would be short) */
	x86_op_rr(b, X86_W, 0xc7, 0, r); /* mov r, sext(imm32) */
	x86_u32(b, (uint32_t)((int32_t)v ^ m32));
	x86_alu_ri(b, true, X86_XOR, r, m32);
}

/* Constant blinding, as the kernel's bpf_jit_blind_constants: an
 * instruction with an immediate operand becomes "r10 = imm (blinded);
 * the register form with r10", an lddw a blinded 64-bit load, so no
 * immediate of the program appears in the code (a JIT spraying defence).
 * False: the instruction has no immediate to blind. */
static bool emit_blinded(struct jit_state *st, const struct vm_insn *in)
{
	uint16_t op = in->op;
	if (op == BPFRT_OP_LDDW) {
		const struct vm_insn *hi = in + 1;
		blind_load(st, reg_map[in->dst], (uint32_t)in->imm | ((uint64_t)(uint32_t)hi->imm << 32), true);
		return true;
	}
	if (op >= BPFRT_OP_COUNT || st->xrow[op] == BPFRT_OP_COUNT)
		return false;
	blind_load(st, X86_R10, (uint64_t)(int64_t)in->imm, false);
	struct vm_insn x = *in;
	x.op = st->xrow[op];
	x.src = BLIND_REG;
	x.imm = 0;
	emit_insn(st, &x);
	return true;
}

/* xrow[op]: the register-operand row for each immediate row blinding
 * rewrites (ALU and JMP _K to their _X twin of the same mnemonic; ST to
 * STX of the same size). */
static uint16_t *blind_rows(void)
{
	uint16_t *x = malloc(BPFRT_OP_COUNT * sizeof(*x));
	if (!x)
		return NULL;
	for (int op = 0; op < BPFRT_OP_COUNT; op++) {
		const struct bpfrt_opcode_info *r = &bpfrt_opcodes[op];
		x[op] = BPFRT_OP_COUNT;
		uint8_t want = r->form == BPFRT_F_ALU_K ? BPFRT_F_ALU_X : r->form == BPFRT_F_JMP_K ? BPFRT_F_JMP_X
			     : r->form == BPFRT_F_ST ? BPFRT_F_STX : BPFRT_F_COUNT;
		if (want == BPFRT_F_COUNT || (r->form == BPFRT_F_JMP_K && !(r->flags & BPFRT_OPF_COND)))
			continue;
		for (int t = 0; t < BPFRT_OP_COUNT; t++) {
			const struct bpfrt_opcode_info *c = &bpfrt_opcodes[t];
			bool same = r->form == BPFRT_F_ST ? c->size == r->size && c->code == (r->code | 0x01)
							  : !strcmp(c->mnemonic, r->mnemonic);
			if (c->form == want && same) {
				x[op] = (uint16_t)t;
				break;
			}
		}
	}
	return x;
}

static void emit_insn(struct jit_state *st, const struct vm_insn *in)
{
	struct x86_buf *b = &st->b;
	const uint32_t i = st->i;
	const int dst = reg_map[in->dst], src = reg_map[in->src];
	const uint16_t op = in->op;
	const struct vm_insn *insns = st->prog->insns;

	if (st->xrow && in->src != BLIND_REG && emit_blinded(st, in))
		return;
	switch (op) {
#define ALU(NAME, XOP)                                                                          \
	case BPFRT_OP_##NAME##64_K: x86_alu_ri(b, true, XOP, dst, in->imm); break;              \
	case BPFRT_OP_##NAME##64_X: x86_alu_rr(b, true, XOP, dst, src); break;                  \
	case BPFRT_OP_##NAME##32_K: x86_alu_ri(b, false, XOP, dst, in->imm); break;             \
	case BPFRT_OP_##NAME##32_X: x86_alu_rr(b, false, XOP, dst, src); break;
		ALU(ADD, X86_ADD)
		ALU(SUB, X86_SUB)
		ALU(OR, X86_OR)
		ALU(AND, X86_AND)
		ALU(XOR, X86_XOR)
#undef ALU
	case BPFRT_OP_MUL64_X:
	case BPFRT_OP_MUL32_X:
		x86_op_rr(b, op == BPFRT_OP_MUL64_X ? X86_W : 0, 0x0faf, dst, src);
		break;
	case BPFRT_OP_MUL64_K:
	case BPFRT_OP_MUL32_K:
		if (x86_is_imm8(in->imm)) {
			x86_op_rr(b, op == BPFRT_OP_MUL64_K ? X86_W : 0, 0x6b, dst, dst);
			x86_u8(b, (uint8_t)in->imm);
		} else {
			x86_op_rr(b, op == BPFRT_OP_MUL64_K ? X86_W : 0, 0x69, dst, dst);
			x86_u32(b, (uint32_t)in->imm);
		}
		break;
#define DIV(NAME, SIGN, MOD)                                                                          \
	case BPFRT_OP_##NAME##64_K: emit_div(st, true, SIGN, MOD, true, in->imm, dst, src); break;     \
	case BPFRT_OP_##NAME##64_X: emit_div(st, true, SIGN, MOD, false, in->imm, dst, src); break;    \
	case BPFRT_OP_##NAME##32_K: emit_div(st, false, SIGN, MOD, true, in->imm, dst, src); break;    \
	case BPFRT_OP_##NAME##32_X: emit_div(st, false, SIGN, MOD, false, in->imm, dst, src); break;
		DIV(DIV, false, false)
		DIV(MOD, false, true)
		DIV(SDIV, true, false)
		DIV(SMOD, true, true)
#undef DIV
#define SHIFT(NAME, XOP)                                                                          \
	case BPFRT_OP_##NAME##64_K: emit_shift(st, true, XOP, true, in->imm, dst, src); break;         \
	case BPFRT_OP_##NAME##64_X: emit_shift(st, true, XOP, false, in->imm, dst, src); break;        \
	case BPFRT_OP_##NAME##32_K: emit_shift(st, false, XOP, true, in->imm, dst, src); break;        \
	case BPFRT_OP_##NAME##32_X: emit_shift(st, false, XOP, false, in->imm, dst, src); break;
		SHIFT(LSH, X86_SHL)
		SHIFT(RSH, X86_SHR)
		SHIFT(ARSH, X86_SAR)
#undef SHIFT
	case BPFRT_OP_MOV64_X:
		if (dst != src)
			x86_mov_rr(b, true, dst, src);
		break;
	case BPFRT_OP_MOV32_X:
		x86_mov_rr(b, false, dst, src);
		break;
	case BPFRT_OP_MOV64_K:
		x86_mov_imm64(b, dst, (uint64_t)(int64_t)in->imm);
		break;
	case BPFRT_OP_MOV32_K:
		x86_mov_imm64(b, dst, (uint32_t)in->imm);
		break;
	case BPFRT_OP_NEG64:
	case BPFRT_OP_NEG32:
		x86_op_rr(b, op == BPFRT_OP_NEG64 ? X86_W : 0, 0xf7, 3, dst);
		break;
	case BPFRT_OP_MOVSX864_X: x86_op_rr(b, X86_W | X86_BYTE, 0x0fbe, dst, src); break;
	case BPFRT_OP_MOVSX1664_X: x86_op_rr(b, X86_W, 0x0fbf, dst, src); break;
	case BPFRT_OP_MOVSX3264_X: x86_op_rr(b, X86_W, 0x63, dst, src); break;
	case BPFRT_OP_MOVSX832_X: x86_op_rr(b, X86_BYTE, 0x0fbe, dst, src); break;
	case BPFRT_OP_MOVSX1632_X: x86_op_rr(b, 0, 0x0fbf, dst, src); break;

	case BPFRT_OP_LE16: x86_op_rr(b, 0, 0x0fb7, dst, dst); break;
	case BPFRT_OP_LE32: x86_mov_rr(b, false, dst, dst); break;
	case BPFRT_OP_LE64: break;
	case BPFRT_OP_BE16:
	case BPFRT_OP_BSWAP16:
		x86_op_rr(b, X86_OS16, 0xc1, X86_ROR, dst); /* ror r16, 8 */
		x86_u8(b, 8);
		x86_op_rr(b, 0, 0x0fb7, dst, dst);
		break;
	case BPFRT_OP_BE32:
	case BPFRT_OP_BSWAP32: emit_bswap(b, false, dst); break;
	case BPFRT_OP_BE64:
	case BPFRT_OP_BSWAP64: emit_bswap(b, true, dst); break;

	case BPFRT_OP_JA: x86_jmp(b, slot_off(st, i + in->off + 1), st->forced_long); break;
	case BPFRT_OP_JA32: x86_jmp(b, slot_off(st, i + in->imm + 1), st->forced_long); break;

	case BPFRT_OP_LDDW:
		x86_mov_imm64(b, dst, (uint32_t)in->imm | ((uint64_t)(uint32_t)insns[i + 1].imm << 32));
		break;
	case VM_OP_LDDW_FUNC:
		/* The same value the interpreter computes: the callee's slot
		 * address, which bpfrt_run_callback and callx understand. */
		x86_mov_imm64(b, dst, (uint64_t)(uintptr_t)insns +
					      (uint64_t)((int64_t)i + in->imm + 1) * sizeof(struct vm_insn));
		break;

	case BPFRT_OP_LDXB: x86_op_rm(b, 0, 0x0fb6, dst, src, in->off); break;
	case BPFRT_OP_LDXH: x86_op_rm(b, 0, 0x0fb7, dst, src, in->off); break;
	case BPFRT_OP_LDXW: x86_op_rm(b, 0, 0x8b, dst, src, in->off); break;
	case BPFRT_OP_LDXDW: x86_op_rm(b, X86_W, 0x8b, dst, src, in->off); break;
	case BPFRT_OP_LDXSB: x86_op_rm(b, X86_W, 0x0fbe, dst, src, in->off); break;
	case BPFRT_OP_LDXSH: x86_op_rm(b, X86_W, 0x0fbf, dst, src, in->off); break;
	case BPFRT_OP_LDXSW: x86_op_rm(b, X86_W, 0x63, dst, src, in->off); break;
	case BPFRT_OP_STB:
		x86_op_rm(b, 0, 0xc6, 0, dst, in->off);
		x86_u8(b, (uint8_t)in->imm);
		break;
	case BPFRT_OP_STH:
		x86_op_rm(b, X86_OS16, 0xc7, 0, dst, in->off);
		x86_u8(b, (uint8_t)in->imm);
		x86_u8(b, (uint8_t)(in->imm >> 8));
		break;
	case BPFRT_OP_STW:
	case BPFRT_OP_STDW:
		x86_op_rm(b, op == BPFRT_OP_STDW ? X86_W : 0, 0xc7, 0, dst, in->off);
		x86_u32(b, (uint32_t)in->imm);
		break;
	case BPFRT_OP_STXB: x86_op_rm(b, X86_BYTE, 0x88, src, dst, in->off); break;
	case BPFRT_OP_STXH: x86_op_rm(b, X86_OS16, 0x89, src, dst, in->off); break;
	case BPFRT_OP_STXW: x86_op_rm(b, 0, 0x89, src, dst, in->off); break;
	case BPFRT_OP_STXDW: x86_op_rm(b, X86_W, 0x89, src, dst, in->off); break;

#define ATOMICS(BITS, W)                                                                              \
	case BPFRT_OP_ATOMIC##BITS##_ADD: x86_op_rm(b, X86_LOCK | W, 0x01, src, dst, in->off); break;  \
	case BPFRT_OP_ATOMIC##BITS##_OR: x86_op_rm(b, X86_LOCK | W, 0x09, src, dst, in->off); break;   \
	case BPFRT_OP_ATOMIC##BITS##_AND: x86_op_rm(b, X86_LOCK | W, 0x21, src, dst, in->off); break;  \
	case BPFRT_OP_ATOMIC##BITS##_XOR: x86_op_rm(b, X86_LOCK | W, 0x31, src, dst, in->off); break;  \
	case BPFRT_OP_ATOMIC##BITS##_FETCH_ADD:                                                        \
		x86_op_rm(b, X86_LOCK | W, 0x0fc1, src, dst, in->off);                                 \
		break;                                                                                 \
	case BPFRT_OP_ATOMIC##BITS##_XCHG: x86_op_rm(b, W, 0x87, src, dst, in->off); break;           \
	case BPFRT_OP_ATOMIC##BITS##_FETCH_OR: emit_fetch_loop(st, W, X86_OR, dst, in->off, src); break; \
	case BPFRT_OP_ATOMIC##BITS##_FETCH_AND: emit_fetch_loop(st, W, X86_AND, dst, in->off, src); break; \
	case BPFRT_OP_ATOMIC##BITS##_FETCH_XOR: emit_fetch_loop(st, W, X86_XOR, dst, in->off, src); break; \
	case BPFRT_OP_ATOMIC##BITS##_CMPXCHG:                                                          \
		x86_op_rm(b, X86_LOCK | W, 0x0fb1, src, dst, in->off);                                 \
		if (!W) /* a 32-bit cmpxchg that succeeds leaves rax's upper half */                   \
			x86_mov_rr(b, false, X86_RAX, X86_RAX);                                        \
		break;
		ATOMICS(32, 0)
		ATOMICS(64, X86_W)
#undef ATOMICS

	case BPFRT_OP_LDABSW:
	case BPFRT_OP_LDABSH:
	case BPFRT_OP_LDABSB:
	case BPFRT_OP_LDINDW:
	case BPFRT_OP_LDINDH:
	case BPFRT_OP_LDINDB: {
		bool ind = op == BPFRT_OP_LDINDW || op == BPFRT_OP_LDINDH || op == BPFRT_OP_LDINDB;
		uint32_t mode = bpfrt_opcodes[op].size | (ind ? 0x100u : 0);
		push_caller_saved(b, false); /* rax receives the result */
		if (ind)
			x86_mov_rr(b, true, X86_R11, src);
		x86_mov_rr(b, true, X86_RDI, CTX);
		if (ind)
			x86_mov_rr(b, true, X86_RSI, X86_R11);
		else
			x86_alu_rr(b, false, X86_XOR, X86_RSI, X86_RSI);
		if (st->xrow)
			blind_load(st, X86_RDX, (uint32_t)in->imm, false);
		else
			x86_mov_imm32(b, X86_RDX, (uint32_t)in->imm);
		x86_mov_imm32(b, X86_RCX, mode);
		x86_call_abs(b, (const void *)bpfrt_jit_ld_pkt);
		pop_caller_saved(b, false);
		x86_op_rm(b, 0, 0x80, 7, CTX, CTX_OFF(pkt_miss)); /* cmp byte [..], 0 */
		x86_u8(b, 0);
		abort_unless(st, X86_CC_E); /* a miss ends the run with r0 = 0 */
		break;
	}

	case BPFRT_OP_CALL: {
		if (emit_map_call(st, in))
			break;
		x86_mov_imm64(b, X86_R11, (uint64_t)(uintptr_t)&st->prog->rt->helpers[in->imm].fn);
		x86_load(b, true, X86_R11, X86_R11, 0);
		x86_test_rr(b, true, X86_R11, X86_R11);
		fault_unless(st, X86_CC_NE, JIT_F_HELPER);
		x86_load(b, true, X86_R9, CTX, CTX_OFF(run));
		x86_call_r(b, X86_R11);
		x86_load(b, true, X86_R11, CTX, CTX_OFF(run));
		x86_alu_mi(b, false, X86_CMP, X86_R11, (int32_t)offsetof(struct bpfrt_run, cb_err), 0);
		fault_unless(st, X86_CC_E, JIT_F_CB_ERR);
		break;
	}
	case BPFRT_OP_CALL_KFUNC:
		emit_fault(st, JIT_F_HELPER);
		break;
	case BPFRT_OP_CALL_LOCAL: {
		uint8_t mask = st->save ? st->save[i + in->imm + 1] : 0xf;
		local_call_enter(st, mask);
		size_t t = slot_off(st, i + in->imm + 1);
		x86_u8(b, 0xe8);
		x86_u32(b, (uint32_t)(int32_t)((int64_t)t - (int64_t)(b->len + 4)));
		local_call_leave(st, mask);
		break;
	}
	case BPFRT_OP_CALLX: {
		push_caller_saved(b, true);
		if (dst != X86_RSI)
			x86_mov_rr(b, true, X86_RSI, dst);
		x86_mov_rr(b, true, X86_RDI, CTX);
		x86_mov_imm32(b, X86_RDX, i);
		x86_call_abs(b, (const void *)bpfrt_jit_callx_resolve);
		x86_mov_rr(b, true, X86_R11, X86_RAX);
		pop_caller_saved(b, true);
		x86_test_rr(b, true, X86_R11, X86_R11);
		abort_unless(st, X86_CC_NE); /* kind and idx set by the resolver */
		x86_op_rm(b, 0, 0x80, 7, CTX, CTX_OFF(callx_helper)); /* cmp byte [..], 0 */
		x86_u8(b, 0);
		size_t helper = x86_jcc8_fwd(b, X86_CC_NE);
		local_call_enter(st, 0xf); /* any function: all four saved */
		x86_call_r(b, X86_R11);
		local_call_leave(st, 0xf);
		size_t done = x86_jmp8_fwd(b);
		x86_bind8(b, helper);
		x86_load(b, true, X86_R9, CTX, CTX_OFF(run));
		x86_call_r(b, X86_R11);
		x86_bind8(b, done);
		break;
	}
	case BPFRT_OP_EXIT:
		x86_ret(b);
		break;
	case VM_OP_TAIL_CALL: {
		/* bpfrt_jit_tail_call(ctx, r2, r3): r2 and r3 already sit in
		 * the second and third argument registers. */
		push_caller_saved(b, true);
		x86_mov_rr(b, true, X86_RDI, CTX);
		x86_call_abs(b, (const void *)bpfrt_jit_tail_call);
		x86_mov_rr(b, true, X86_R11, X86_RAX);
		pop_caller_saved(b, true);
		x86_test_rr(b, true, X86_R11, X86_R11);
		size_t miss = x86_jcc8_fwd(b, X86_CC_E);
		x86_alu_ri(b, true, X86_CMP, X86_R11, 1);
		abort_unless(st, X86_CC_NE); /* 1: the target cannot run on the JIT */
		x86_jmp_r(b, X86_R11);
		x86_bind8(b, miss);
		break;
	}
	case VM_OP_FELL_OFF:
	case VM_OP_LDDW_HI:
		emit_fault(st, JIT_F_FELL);
		break;
	default:
		if (op >= BPFRT_OP_JEQ_K && (bpfrt_opcodes[op].flags & BPFRT_OPF_COND)) {
			bool w = !(bpfrt_opcodes[op].flags & BPFRT_OPF_ALU32);
			bool is_x = bpfrt_opcodes[op].form == BPFRT_F_JMP_X;
			enum x86_cc cc = jmp_cc(op);
			bool jset = op == BPFRT_OP_JSET_K || op == BPFRT_OP_JSET_X || op == BPFRT_OP_JSET32_K ||
				    op == BPFRT_OP_JSET32_X;
			if (is_x && jset)
				x86_test_rr(b, w, dst, src);
			else if (is_x)
				x86_alu_rr(b, w, X86_CMP, dst, src);
			else if (jset)
				x86_test_ri(b, w, dst, in->imm);
			else if (in->imm == 0 && (cc == X86_CC_E || cc == X86_CC_NE))
				x86_test_rr(b, w, dst, dst);
			else
				x86_alu_ri(b, w, X86_CMP, dst, in->imm);
			x86_jcc(b, cc, slot_off(st, i + in->off + 1), st->forced_long);
			break;
		}
		fail(st, "insn %u: no lowering for %s", i,
		     op < BPFRT_OP_COUNT ? bpfrt_opcodes[op].id : "an internal operation");
	}
}

/* The image's fixed prefix: abort stub, epilogue, entry.  The entry is
 * int entry(struct jit_ctx *ctx, const uint64_t regs[11], uintptr_t r10):
 * 0 after a normal exit (r0 in ctx->r0), 1 after an abort. */
static void emit_prefix(struct jit_state *st, size_t *entry_off)
{
	struct x86_buf *b = &st->b;
	static const int saved[6] = {X86_RBP, X86_RBX, X86_R12, X86_R13, X86_R14, X86_R15};
	st->abort_off = b->len;
	x86_load(b, true, X86_RSP, CTX, CTX_OFF(saved_rsp));
	x86_mov_imm32(b, X86_RAX, 1);
	st->epilogue_off = b->len;
	for (int k = 5; k >= 0; k--)
		x86_pop(b, saved[k]);
	x86_ret(b);

	*entry_off = b->len;
	for (int k = 0; k < 6; k++)
		x86_push(b, saved[k]);
	x86_mov_rr(b, true, CTX, X86_RDI);
	x86_mov_rr(b, true, X86_RBP, X86_RDX);
	x86_mov_rr(b, true, X86_R11, X86_RSI);
	x86_store(b, true, CTX, CTX_OFF(saved_rsp), X86_RSP);
	for (int r = 0; r < 10; r++)
		x86_load(b, true, reg_map[r], X86_R11, r * 8);
	x86_u8(b, 0xe8); /* call body: patched below */
	x86_u32(b, 0);
	size_t call_end = b->len;
	x86_store(b, true, CTX, CTX_OFF(r0), X86_RAX);
	x86_alu_rr(b, false, X86_XOR, X86_RAX, X86_RAX);
	x86_jmp(b, st->epilogue_off, false);
	if (!b->oom) {
		uint32_t rel = (uint32_t)(b->len - call_end);
		memcpy(b->p + call_end - 4, &rel, 4);
	}
}

static void emit_prog(struct jit_state *st, size_t *entry_off)
{
	const struct bpfrt_vm_prog *prog = st->prog;
	st->b.len = 0;
	emit_prefix(st, entry_off);
	for (uint32_t i = 0; i <= prog->cnt; i++) {
		const struct vm_insn *in = &prog->insns[i];
		st->i = i;
		if (in->op == VM_OP_LDDW_HI) {
			/* Unreachable but for a stray jump: only then a fault,
			 * skipped by the lddw's fall-through. */
			if (st->targeted[i]) {
				size_t over = x86_jmp8_fwd(&st->b);
				st->addrs[i] = (uint32_t)st->b.len;
				emit_fault(st, JIT_F_FELL);
				x86_bind8(&st->b, over);
			} else {
				st->addrs[i] = (uint32_t)st->b.len;
			}
			continue;
		}
		st->addrs[i] = (uint32_t)st->b.len;
		emit_insn(st, in);
	}
}

/* Jump targets inside [0, cnt] and registers r0-r10, as the lowering
 * assumes; LDDW_HI slots that are jump targets get a fault path. */
static void validate(struct jit_state *st)
{
	const struct bpfrt_vm_prog *prog = st->prog;
	for (uint32_t i = 0; i < prog->cnt; i++) {
		const struct vm_insn *in = &prog->insns[i];
		if (in->op >= BPFRT_OP_COUNT)
			continue;
		if (in->dst > 10 || in->src > 10) {
			fail(st, "insn %u: register out of range", i);
			return;
		}
		if (!(bpfrt_opcodes[in->op].flags & BPFRT_OPF_JUMP))
			continue;
		int64_t rel = (in->op == BPFRT_OP_JA32 || in->op == BPFRT_OP_CALL_LOCAL) ? in->imm : in->off;
		int64_t t = (int64_t)i + rel + 1;
		if (t < 0 || t > (int64_t)prog->cnt) {
			fail(st, "insn %u: jump target %lld out of range", i, (long long)t);
			return;
		}
		if (t < (int64_t)prog->cnt && prog->insns[t].op == VM_OP_LDDW_HI)
			st->targeted[t] = 1;
	}
}

struct jit_image *bpfrt_jit_compile(const struct bpfrt_vm_prog *prog)
{
	struct jit_image *img = calloc(1, sizeof(*img));
	if (!img)
		return NULL;
	img->prog = prog;
	img->cnt = prog->cnt;
	struct jit_state st = {.prog = prog, .err = img->reason};
	st.addrs = calloc(prog->cnt + 1, sizeof(uint32_t));
	st.prev = calloc(prog->cnt + 1, sizeof(uint32_t));
	st.targeted = calloc(prog->cnt + 1, 1);
	if (!st.addrs || !st.prev || !st.targeted) {
		fail(&st, "out of memory");
		goto out;
	}
#if !defined(__x86_64__)
	fail(&st, "the JIT generates x86-64 code only");
	goto out;
#endif
	validate(&st);
	st.map_of = bpfrt_jit_map_consts(prog);
	if (!st.failed)
		st.save = call_save_masks(prog);
#if defined(__x86_64__)
	st.bmi2 = __builtin_cpu_supports("bmi2") && !getenv("BPFRT_JIT_NO_BMI2");
#endif
	const char *harden = getenv("BPFRT_JIT_HARDEN");
	if (harden && !strcmp(harden, "1")) {
		st.xrow = blind_rows();
		if (!st.xrow || getrandom(&st.blind_key, sizeof(st.blind_key), 0) != sizeof(st.blind_key))
			st.blind_key = (uint64_t)(uintptr_t)&st ^ (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
		if (!st.xrow)
			fail(&st, "out of memory");
	}
	size_t entry_off = 0;
	bool converged = false;
	st.forced_long = true;
	for (uint32_t pass = 1; !st.failed && pass <= 40 && !converged; pass++) {
		emit_prog(&st, &entry_off);
		img->passes = pass;
		converged = pass > 1 && !memcmp(st.addrs, st.prev, (prog->cnt + 1) * sizeof(uint32_t));
		uint32_t *t = st.prev;
		st.prev = st.addrs;
		st.addrs = t;
		st.forced_long = false;
		if (st.b.oom)
			fail(&st, "out of memory or an oversized instruction sequence");
	}
	if (!st.failed && !converged) {
		/* Never seen: sizes only shrink.  Near jumps everywhere are
		 * exact on the second pass. */
		st.forced_long = true;
		for (int k = 0; k < 2; k++) {
			emit_prog(&st, &entry_off);
			uint32_t *t = st.prev;
			st.prev = st.addrs;
			st.addrs = t;
		}
	}
	if (st.failed || st.b.oom) {
		fail(&st, "out of memory");
		goto out;
	}
	/* st.prev holds the final pass's offsets. */
	long page = sysconf(_SC_PAGESIZE);
	img->size = st.b.len;
	img->map_size = (st.b.len + (size_t)page - 1) & ~((size_t)page - 1);
	void *mem = mmap(NULL, img->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fail(&st, "mmap failed");
		goto out;
	}
	memcpy(mem, st.b.p, st.b.len);
	if (mprotect(mem, img->map_size, PROT_READ | PROT_EXEC)) {
		munmap(mem, img->map_size);
		fail(&st, "mprotect to read+exec failed");
		goto out;
	}
	__builtin___clear_cache((char *)mem, (char *)mem + img->size);
	img->mem = mem;
	img->addrs = st.prev;
	st.prev = NULL;
	img->entry_off = (uint32_t)entry_off;
out:
	free(st.addrs);
	free(st.prev);
	free(st.targeted);
	free(st.map_of);
	free(st.xrow);
	free(st.save);
	free(st.b.p);
	return img;
}

void bpfrt_jit_free(struct jit_image *img)
{
	if (!img)
		return;
	if (img->mem)
		munmap(img->mem, img->map_size);
	free(img->addrs);
	free(img);
}

/* With $BPFRT_PERF_MAP=1, name the image in /tmp/perf-PID.map (perf's
 * convention for JIT code: "START SIZE NAME" lines, hex), so `perf report`
 * symbolizes samples in it.  One line per image, appended with O_APPEND so
 * concurrent compilations don't interleave; the file is never trimmed
 * (perf takes the last mapping of an address). */
static void perf_map_add(const struct jit_image *img)
{
	const char *env = getenv("BPFRT_PERF_MAP");
	if (!env || strcmp(env, "1"))
		return;
	char path[64], line[160];
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	int n = snprintf(line, sizeof(line), "%lx %zx bpf_prog_%s\n", (unsigned long)(uintptr_t)img->mem,
			 img->size, img->prog->name && img->prog->name[0] ? img->prog->name : "anon");
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	if (write(fd, line, (size_t)n) != n && getenv("BPFRT_JIT_LOG"))
		fprintf(stderr, "bpfrt: jit: can't write %s\n", path);
	close(fd);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

const struct jit_image *bpfrt_jit_get(const struct bpfrt_vm_prog *prog)
{
	struct bpfrt_vm_prog *p = (struct bpfrt_vm_prog *)prog; /* the cache is the only mutable part */
	struct jit_image *img = __atomic_load_n(&p->jit, __ATOMIC_ACQUIRE);
	if (img)
		return img;
	uint64_t t0 = mono_ns();
	img = bpfrt_jit_compile(prog);
	if (!img)
		return NULL;
	img->compile_ns = mono_ns() - t0;
	struct jit_image *expected = NULL;
	if (!__atomic_compare_exchange_n(&p->jit, &expected, img, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE)) {
		bpfrt_jit_free(img); /* another thread published first */
		return expected;
	}
	if (!img->mem && getenv("BPFRT_JIT_LOG"))
		fprintf(stderr, "bpfrt: jit: %s: runs on the interpreter: %s\n",
			prog->name ? prog->name : "(unnamed)", img->reason);
	if (img->mem)
		perf_map_add(img);
	return img;
}

int bpfrt_jit_status(const struct bpfrt_vm_prog *prog, const char **reason)
{
	const struct jit_image *img = __atomic_load_n(&prog->jit, __ATOMIC_ACQUIRE);
	if (reason)
		*reason = img && !img->mem ? img->reason : NULL;
	return img ? img->mem != NULL : -1;
}

int bpfrt_vm_prog_jited(const struct bpfrt_vm_prog *prog, bool compile, struct bpfrt_jited *out)
{
	if (!prog || !out || out->sz < sizeof(size_t))
		return -EINVAL;
	const struct jit_image *img = compile ? bpfrt_jit_get(prog) : __atomic_load_n(&prog->jit, __ATOMIC_ACQUIRE);
	struct bpfrt_jited j = {.sz = out->sz < sizeof(j) ? out->sz : sizeof(j)};
	int err = -ENOENT;
	if (img && img->mem) {
		j.code = img->mem;
		j.size = img->size;
		j.insn_off = img->addrs;
		j.insn_cnt = img->cnt;
		j.entry_off = img->entry_off;
		j.passes = img->passes;
		j.compile_ns = img->compile_ns;
		err = 0;
	} else if (img) {
		j.reason = img->reason;
		err = -ENOTSUP;
	} else if (compile) {
		j.reason = "out of memory";
		err = -ENOMEM;
	}
	size_t n = j.sz;
	memcpy(out, &j, n);
	return err;
}
