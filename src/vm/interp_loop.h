/* interp_loop.h — the interpreter loop, one case per instruction row.
 *
 * Included three times by interp.c: fast (VM_CHECKED 0, VM_BUDGET 0),
 * checked (every memory access checked against the run's regions,
 * instruction budget enforced: both 1) and budget-only (VM_BUDGET 1: for
 * programs loaded unverified, whose memory accesses helpers may need raw).
 * The cases are the same source; only MEM_CHECK and COUNT_INSN differ.
 * Dispatch is threaded (computed goto) under GCC/Clang, a switch elsewhere.
 * Each case reads like RFC 9669's pseudo-code; ALU32 results are
 * zero-extended, shift amounts masked, division by zero gives 0 and modulo
 * by zero leaves dst (for 32-bit ops, its low half zero-extended).
 */

int VM_LOOP_NAME(const struct bpfrt_vm_prog *prog, const struct vm_insn *start, struct bpfrt_run *run,
		 uint64_t *regs_in, uint64_t *r0_out, struct bpfrt_diag *diag)
{
#if VM_USE_GOTO
	static const void *const dispatch[VM_OP_COUNT] = {
#define BPFRT_OP(id, ...) [BPFRT_OP_##id] = &&op_##id,
#include "bpfrt/opcodes.def"
#undef BPFRT_OP
		[VM_OP_LDDW_FUNC] = &&xop_LDDW_FUNC,
		[VM_OP_LDDW_HI] = &&xop_LDDW_HI,
		[VM_OP_TAIL_CALL] = &&xop_TAIL_CALL,
		[VM_OP_FELL_OFF] = &&xop_FELL_OFF,
	};
#define DISPATCH() goto *dispatch[pc->op]
#define OP(name) op_##name:
#define XOP(name) xop_##name:
#define LOOP_BEGIN DISPATCH();
#define LOOP_END
#else
#define DISPATCH() goto dispatch_top
#define OP(name) case BPFRT_OP_##name:
#define XOP(name) case VM_OP_##name:
#define LOOP_BEGIN \
	dispatch_top:  \
	switch (pc->op) {
#define LOOP_END \
	default: \
		goto xop_FELL_OFF; \
	}
#endif

	struct vm_frame {
		const struct vm_insn *ret;
		const struct bpfrt_vm_prog *prog;
		uint64_t saved[4];
	} frames[BPFRT_MAX_FRAMES];
	uint8_t stack[BPFRT_MAX_FRAMES * BPFRT_STACK_SIZE] __attribute__((aligned(16)));
	const uintptr_t stack_lo = (uintptr_t)stack, stack_hi = stack_lo + sizeof(stack);
	uint64_t reg[11];
	uint32_t depth = 0, tail_calls = 0;
	const struct bpfrt_vm_prog *cur = prog;
	const struct vm_insn *pc = start;
	const struct bpfrt_helper *helpers = run->rt->helpers;
	const struct bpfrt_run_opts *ro = run->opts;
#if VM_BUDGET
	uint64_t budget = ro->insn_limit;
#endif
	run->stack_lo = stack_lo;
	run->stack_hi = stack_hi;

	memcpy(reg, regs_in, sizeof(reg));
	reg[10] = stack_hi;

#define DST reg[pc->dst]
#define SRC reg[pc->src]
#define IMM ((uint64_t)(int64_t)pc->imm) /* sign-extended to 64 bits */
#define IMM32 ((uint32_t)pc->imm)
#define IDX ((uint32_t)(pc - cur->insns))

#if VM_BUDGET
#define COUNT_INSN()                                       \
	do {                                               \
		if (budget && --budget == 0)               \
			goto fault_budget;                 \
	} while (0)
#else
#define COUNT_INSN() ((void)0)
#endif
#if VM_CHECKED
#define MEM_CHECK(addr, size, write)                                                   \
	do {                                                                           \
		if (!vm_access_ok(run, stack_lo, stack_hi, (addr), (size), (write))) { \
			fault_addr = (addr), fault_size = (size), fault_write = (write); \
			goto fault_access;                                             \
		}                                                                      \
	} while (0)
	uint64_t fault_addr = 0;
	uint32_t fault_size = 0;
	bool fault_write = false;
#else
#define MEM_CHECK(addr, size, write) ((void)0)
#endif

#define NEXT()           \
	do {             \
		pc++;    \
		COUNT_INSN(); \
		DISPATCH(); \
	} while (0)
#define JUMP(o)              \
	do {                 \
		pc += (o) + 1; \
		COUNT_INSN(); \
		DISPATCH();  \
	} while (0)

#define LOAD(type, addr)                                     \
	({                                                   \
		uint64_t a_ = (addr);                        \
		type v_;                                     \
		MEM_CHECK(a_, sizeof(type), false);          \
		memcpy(&v_, (const void *)(uintptr_t)a_, sizeof(type)); \
		v_;                                          \
	})
#define STORE(type, addr, val)                                  \
	do {                                                    \
		uint64_t a_ = (addr);                           \
		type v_ = (type)(val);                          \
		MEM_CHECK(a_, sizeof(type), true);              \
		memcpy((void *)(uintptr_t)a_, &v_, sizeof(type)); \
	} while (0)

/* ALU rows: name, 64-bit expression, 32-bit expression (a = dst, b = operand). */
#define ALU_PAIR(NAME, EXPR64, EXPR32)                                            \
	OP(NAME##64_K) { uint64_t a = DST, b = IMM; DST = (EXPR64); NEXT(); }     \
	OP(NAME##64_X) { uint64_t a = DST, b = SRC; DST = (EXPR64); NEXT(); }     \
	OP(NAME##32_K) { uint32_t a = (uint32_t)DST, b = IMM32; DST = (uint32_t)(EXPR32); NEXT(); } \
	OP(NAME##32_X) { uint32_t a = (uint32_t)DST, b = (uint32_t)SRC; DST = (uint32_t)(EXPR32); NEXT(); }

/* Conditional jump rows: name, 64-bit condition, 32-bit condition. */
#define JMP_PAIR(NAME, COND64, COND32)                                                  \
	OP(NAME##_K) { uint64_t a = DST, b = IMM; if (COND64) JUMP(pc->off); NEXT(); }  \
	OP(NAME##_X) { uint64_t a = DST, b = SRC; if (COND64) JUMP(pc->off); NEXT(); }  \
	OP(NAME##32_K) { uint32_t a = (uint32_t)DST, b = IMM32; if (COND32) JUMP(pc->off); NEXT(); } \
	OP(NAME##32_X) { uint32_t a = (uint32_t)DST, b = (uint32_t)SRC; if (COND32) JUMP(pc->off); NEXT(); }

	LOOP_BEGIN

	ALU_PAIR(ADD, a + b, a + b)
	ALU_PAIR(SUB, a - b, a - b)
	ALU_PAIR(MUL, a * b, a * b)
	ALU_PAIR(DIV, b ? a / b : 0, b ? a / b : 0)
	ALU_PAIR(SDIV, vm_sdiv64(a, b), vm_sdiv32(a, b))
	ALU_PAIR(MOD, b ? a % b : a, b ? a % b : a)
	ALU_PAIR(SMOD, vm_smod64(a, b), vm_smod32(a, b))
	ALU_PAIR(OR, a | b, a | b)
	ALU_PAIR(AND, a & b, a & b)
	ALU_PAIR(XOR, a ^ b, a ^ b)
	ALU_PAIR(LSH, a << (b & 63), a << (b & 31))
	ALU_PAIR(RSH, a >> (b & 63), a >> (b & 31))
	ALU_PAIR(ARSH, (uint64_t)((int64_t)a >> (b & 63)), (uint32_t)((int32_t)a >> (b & 31)))
	ALU_PAIR(MOV, ((void)a, b), ((void)a, b))

	OP(NEG64) { DST = -DST; NEXT(); }
	OP(NEG32) { DST = (uint32_t)-(uint32_t)DST; NEXT(); }
	OP(MOVSX864_X) { DST = (uint64_t)(int64_t)(int8_t)SRC; NEXT(); }
	OP(MOVSX1664_X) { DST = (uint64_t)(int64_t)(int16_t)SRC; NEXT(); }
	OP(MOVSX3264_X) { DST = (uint64_t)(int64_t)(int32_t)SRC; NEXT(); }
	OP(MOVSX832_X) { DST = (uint32_t)(int32_t)(int8_t)SRC; NEXT(); }
	OP(MOVSX1632_X) { DST = (uint32_t)(int32_t)(int16_t)SRC; NEXT(); }

	/* Byte order: bpfrt runs on little-endian hosts, so "le" truncates
	 * and "be"/"bswap" swap. */
	OP(LE16) { DST = (uint16_t)DST; NEXT(); }
	OP(LE32) { DST = (uint32_t)DST; NEXT(); }
	OP(LE64) { NEXT(); }
	OP(BE16) { DST = __builtin_bswap16((uint16_t)DST); NEXT(); }
	OP(BE32) { DST = __builtin_bswap32((uint32_t)DST); NEXT(); }
	OP(BE64) { DST = __builtin_bswap64(DST); NEXT(); }
	OP(BSWAP16) { DST = __builtin_bswap16((uint16_t)DST); NEXT(); }
	OP(BSWAP32) { DST = __builtin_bswap32((uint32_t)DST); NEXT(); }
	OP(BSWAP64) { DST = __builtin_bswap64(DST); NEXT(); }

	OP(JA) { JUMP(pc->off); }
	OP(JA32) { JUMP(pc->imm); }
	JMP_PAIR(JEQ, a == b, a == b)
	JMP_PAIR(JNE, a != b, a != b)
	JMP_PAIR(JGT, a > b, a > b)
	JMP_PAIR(JGE, a >= b, a >= b)
	JMP_PAIR(JLT, a < b, a < b)
	JMP_PAIR(JLE, a <= b, a <= b)
	JMP_PAIR(JSET, (a & b) != 0, (a & b) != 0)
	JMP_PAIR(JSGT, (int64_t)a > (int64_t)b, (int32_t)a > (int32_t)b)
	JMP_PAIR(JSGE, (int64_t)a >= (int64_t)b, (int32_t)a >= (int32_t)b)
	JMP_PAIR(JSLT, (int64_t)a < (int64_t)b, (int32_t)a < (int32_t)b)
	JMP_PAIR(JSLE, (int64_t)a <= (int64_t)b, (int32_t)a <= (int32_t)b)

	OP(LDDW) { DST = (uint32_t)pc->imm | ((uint64_t)(uint32_t)pc[1].imm << 32); pc++; NEXT(); }
	XOP(LDDW_FUNC) { DST = (uintptr_t)(pc + pc->imm + 1); pc++; NEXT(); }

	OP(LDXW) { DST = LOAD(uint32_t, SRC + pc->off); NEXT(); }
	OP(LDXH) { DST = LOAD(uint16_t, SRC + pc->off); NEXT(); }
	OP(LDXB) { DST = LOAD(uint8_t, SRC + pc->off); NEXT(); }
	OP(LDXDW) { DST = LOAD(uint64_t, SRC + pc->off); NEXT(); }
	OP(LDXSW) { DST = (uint64_t)(int64_t)LOAD(int32_t, SRC + pc->off); NEXT(); }
	OP(LDXSH) { DST = (uint64_t)(int64_t)LOAD(int16_t, SRC + pc->off); NEXT(); }
	OP(LDXSB) { DST = (uint64_t)(int64_t)LOAD(int8_t, SRC + pc->off); NEXT(); }
	OP(STW) { STORE(uint32_t, DST + pc->off, pc->imm); NEXT(); }
	OP(STH) { STORE(uint16_t, DST + pc->off, pc->imm); NEXT(); }
	OP(STB) { STORE(uint8_t, DST + pc->off, pc->imm); NEXT(); }
	OP(STDW) { STORE(uint64_t, DST + pc->off, IMM); NEXT(); }
	OP(STXW) { STORE(uint32_t, DST + pc->off, SRC); NEXT(); }
	OP(STXH) { STORE(uint16_t, DST + pc->off, SRC); NEXT(); }
	OP(STXB) { STORE(uint8_t, DST + pc->off, SRC); NEXT(); }
	OP(STXDW) { STORE(uint64_t, DST + pc->off, SRC); NEXT(); }

	/* Legacy packet loads: network byte order to host; out of bounds ends
	 * the program with r0 = 0, as in the kernel. */
#define LD_PKT(type, SWAP, offexpr)                                                  \
	{                                                                            \
		int64_t o_ = (offexpr);                                              \
		if (o_ < 0 || !ro->packet || (uint64_t)o_ + sizeof(type) > ro->packet_size) \
			goto pkt_miss;                                               \
		type v_;                                                             \
		memcpy(&v_, (const uint8_t *)ro->packet + o_, sizeof(type));         \
		reg[0] = SWAP(v_);                                                   \
		NEXT();                                                              \
	}
#define NOSWAP(x) (x)
	OP(LDABSW) LD_PKT(uint32_t, __builtin_bswap32, (int64_t)pc->imm)
	OP(LDABSH) LD_PKT(uint16_t, __builtin_bswap16, (int64_t)pc->imm)
	OP(LDABSB) LD_PKT(uint8_t, NOSWAP, (int64_t)pc->imm)
	OP(LDINDW) LD_PKT(uint32_t, __builtin_bswap32, (int64_t)(int32_t)((uint32_t)SRC + (uint32_t)pc->imm))
	OP(LDINDH) LD_PKT(uint16_t, __builtin_bswap16, (int64_t)(int32_t)((uint32_t)SRC + (uint32_t)pc->imm))
	OP(LDINDB) LD_PKT(uint8_t, NOSWAP, (int64_t)(int32_t)((uint32_t)SRC + (uint32_t)pc->imm))

	/* Atomics: the old value goes to src for FETCH forms, to r0 for cmpxchg. */
#if VM_CHECKED
#define ATOMIC_CHECK(size)                                   \
	do {                                                 \
		MEM_CHECK(DST + pc->off, size, true);        \
		if ((DST + pc->off) & ((size)-1))            \
			goto fault_align;                    \
	} while (0)
#else
#define ATOMIC_CHECK(size) ((void)0)
#endif
#define ATOMIC_OP(NAME, BITS, FN, FETCH)                                                   \
	OP(ATOMIC##BITS##_##NAME)                                                          \
	{                                                                                  \
		ATOMIC_CHECK(BITS / 8);                                                    \
		uint##BITS##_t *p_ = (uint##BITS##_t *)(uintptr_t)(DST + pc->off);         \
		uint##BITS##_t old_ = FN(p_, (uint##BITS##_t)SRC, __ATOMIC_SEQ_CST);       \
		if (FETCH)                                                                 \
			SRC = old_;                                                        \
		NEXT();                                                                    \
	}
	ATOMIC_OP(ADD, 32, __atomic_fetch_add, 0)
	ATOMIC_OP(OR, 32, __atomic_fetch_or, 0)
	ATOMIC_OP(AND, 32, __atomic_fetch_and, 0)
	ATOMIC_OP(XOR, 32, __atomic_fetch_xor, 0)
	ATOMIC_OP(FETCH_ADD, 32, __atomic_fetch_add, 1)
	ATOMIC_OP(FETCH_OR, 32, __atomic_fetch_or, 1)
	ATOMIC_OP(FETCH_AND, 32, __atomic_fetch_and, 1)
	ATOMIC_OP(FETCH_XOR, 32, __atomic_fetch_xor, 1)
	ATOMIC_OP(XCHG, 32, __atomic_exchange_n, 1)
	ATOMIC_OP(ADD, 64, __atomic_fetch_add, 0)
	ATOMIC_OP(OR, 64, __atomic_fetch_or, 0)
	ATOMIC_OP(AND, 64, __atomic_fetch_and, 0)
	ATOMIC_OP(XOR, 64, __atomic_fetch_xor, 0)
	ATOMIC_OP(FETCH_ADD, 64, __atomic_fetch_add, 1)
	ATOMIC_OP(FETCH_OR, 64, __atomic_fetch_or, 1)
	ATOMIC_OP(FETCH_AND, 64, __atomic_fetch_and, 1)
	ATOMIC_OP(FETCH_XOR, 64, __atomic_fetch_xor, 1)
	ATOMIC_OP(XCHG, 64, __atomic_exchange_n, 1)
	OP(ATOMIC32_CMPXCHG)
	{
		ATOMIC_CHECK(4);
		uint32_t expected = (uint32_t)reg[0];
		__atomic_compare_exchange_n((uint32_t *)(uintptr_t)(DST + pc->off), &expected,
					    (uint32_t)SRC, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		reg[0] = expected;
		NEXT();
	}
	OP(ATOMIC64_CMPXCHG)
	{
		ATOMIC_CHECK(8);
		uint64_t expected = reg[0];
		__atomic_compare_exchange_n((uint64_t *)(uintptr_t)(DST + pc->off), &expected, SRC,
					    false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
		reg[0] = expected;
		NEXT();
	}

	OP(CALL)
	{
		bpfrt_helper_fn fn = helpers[pc->imm].fn;
		if (!fn)
			goto fault_helper;
		reg[0] = fn(reg[1], reg[2], reg[3], reg[4], reg[5], run);
		if (run->cb_err) /* a callback the helper ran has faulted */
			return run->cb_err;
		NEXT();
	}
	OP(CALL_KFUNC) { goto fault_helper; }
	OP(CALLX)
	{
		uint64_t t = DST;
		const struct vm_insn *target = (const struct vm_insn *)(uintptr_t)t;
		if (target >= cur->insns && target < cur->insns + cur->cnt &&
		    (t - (uintptr_t)cur->insns) % sizeof(struct vm_insn) == 0 &&
		    target->op != VM_OP_LDDW_HI)
			goto local_call_to_target;
		if (t < BPFRT_MAX_HELPERS && helpers[t].fn) {
			reg[0] = helpers[t].fn(reg[1], reg[2], reg[3], reg[4], reg[5], run);
			NEXT();
		}
		goto fault_callx;
	local_call_to_target:
		if (depth + 1 >= BPFRT_MAX_FRAMES)
			goto fault_depth;
		frames[depth].ret = pc + 1;
		frames[depth].prog = cur;
		vm_copy_callee_saved(frames[depth].saved, &reg[6]);
		depth++;
		reg[10] -= BPFRT_STACK_SIZE;
		pc = target;
		DISPATCH();
	}
	OP(CALL_LOCAL)
	{
		if (depth + 1 >= BPFRT_MAX_FRAMES)
			goto fault_depth;
		frames[depth].ret = pc + 1;
		frames[depth].prog = cur;
		vm_copy_callee_saved(frames[depth].saved, &reg[6]);
		depth++;
		reg[10] -= BPFRT_STACK_SIZE;
		JUMP(pc->imm);
	}
	OP(EXIT)
	{
		if (depth == 0) {
			*r0_out = reg[0];
			return 0;
		}
		depth--;
		pc = frames[depth].ret;
		cur = frames[depth].prog;
		vm_copy_callee_saved(&reg[6], frames[depth].saved);
		reg[10] += BPFRT_STACK_SIZE;
		DISPATCH();
	}
	XOP(TAIL_CALL)
	{
		/* bpf_tail_call(ctx, map, index): on a hit the current program is
		 * replaced (same frame, same ctx in r1); on a miss, go on. */
		const struct bpfrt_vm_prog *next = NULL;
		if (ro->tail_call && tail_calls < BPFRT_MAX_TAIL_CALLS)
			next = ro->tail_call(run, reg[2], (uint32_t)reg[3]);
		if (!next)
			NEXT();
		tail_calls++;
		cur = next;
		run->prog = next;
		pc = next->insns;
		DISPATCH();
	}
	XOP(LDDW_HI) { goto fault_fell; }
	XOP(FELL_OFF) { goto fault_fell; }

	LOOP_END

pkt_miss:
	*r0_out = 0;
	return 0;

fault_fell:
	return vm_fault(diag, -EFAULT, IDX, "insn %u: control reached a slot that is not an instruction", IDX);
fault_helper:
	return vm_fault(diag, -EINVAL, IDX, "insn %u: call to unknown helper %d", IDX, pc->imm);
fault_depth:
	return vm_fault(diag, -E2BIG, IDX, "insn %u: call depth exceeds %d frames", IDX, BPFRT_MAX_FRAMES);
#if VM_CHECKED
fault_access:
	return vm_fault_access(run, diag, IDX, &cur->orig[IDX], fault_addr, fault_size, fault_write,
			       stack_lo, stack_hi);
fault_align:
	return vm_fault(diag, -EFAULT, IDX, "insn %u: misaligned atomic access at 0x%llx", IDX,
			(unsigned long long)(DST + pc->off));
#endif
#if VM_BUDGET
fault_budget:
	return vm_fault(diag, -ELOOP, IDX, "insn %u: instruction limit of %llu reached", IDX,
			(unsigned long long)ro->insn_limit);
#endif
fault_callx:
	return vm_fault(diag, -EFAULT, IDX,
			"insn %u: callx r%d = 0x%llx is neither a function of this program nor a helper",
			IDX, pc->dst, (unsigned long long)DST);

#undef DISPATCH
#undef OP
#undef XOP
#undef LOOP_BEGIN
#undef LOOP_END
#undef DST
#undef SRC
#undef IMM
#undef IMM32
#undef IDX
#undef COUNT_INSN
#undef MEM_CHECK
#undef NEXT
#undef JUMP
#undef LOAD
#undef STORE
#undef ALU_PAIR
#undef JMP_PAIR
#undef LD_PKT
#undef NOSWAP
#undef ATOMIC_CHECK
#undef ATOMIC_OP
}
