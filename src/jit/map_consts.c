/* map_consts.c — which map r1 holds at each helper call, found by a small
 * forward dataflow over the program's slots, so the JIT can lower map
 * helpers as the kernel does after its verifier (array lookups inline,
 * other families' operations called directly).
 *
 * The only facts tracked are "register rN holds the address of used map k"
 * (from an lddw whose 64-bit value is that map's address, copied by mov);
 * anything else a register may hold is "unknown", and a join of two
 * different facts is "unknown".  The analysis is about the physical values
 * the generated code sees, so it needs no verifier and holds for
 * unverified programs too: a register called "map k" holds exactly map k's
 * address on every path, which is all the helper's own check
 * (map_helpers.c: arg_map) would have established at run time.
 *
 * Entries with unknown registers: slot 0 (also where tail calls land),
 * subprograms whose address is taken (callbacks run by helpers); a
 * program with callx (any slot may be entered) gets no facts at all.
 */
#include "jit/jit.h"

#include "core/prog.h"

#include <stdlib.h>
#include <string.h>

#define MC_NREGS 10       /* r0-r9; r10 is never a map */
#define MC_UNREACHED 0xff /* no path reaches the slot yet */
#define MC_UNKNOWN JIT_MAP_UNKNOWN /* anything but a known map */
/* Facts are map indexes 0..MC_MAX_MAPS-1 in the owner's maps[]. */
#define MC_MAX_MAPS 0xfe

static uint8_t map_fact(const struct bpfrt_prog *owner, uint64_t v)
{
	uint32_t n = owner->nr_maps < MC_MAX_MAPS ? owner->nr_maps : MC_MAX_MAPS;
	for (uint32_t k = 0; k < n; k++)
		if ((uintptr_t)owner->maps[k] == v)
			return (uint8_t)k;
	return MC_UNKNOWN;
}

/* Join state s into the in-state of slot t; true when it changed. */
static bool join(uint8_t *in, uint32_t t, const uint8_t *s)
{
	uint8_t *d = in + (size_t)t * MC_NREGS;
	bool changed = false;
	for (int r = 0; r < MC_NREGS; r++) {
		uint8_t n = d[r] == MC_UNREACHED ? s[r] : d[r] == s[r] ? d[r] : MC_UNKNOWN;
		if (n != d[r]) {
			d[r] = n;
			changed = true;
		}
	}
	return changed;
}

static void clobber_args(uint8_t *s)
{
	for (int r = 0; r <= 5; r++)
		s[r] = MC_UNKNOWN;
}

/* The effect of slot i on the register facts in s. */
static void transfer(const struct bpfrt_prog *owner, const struct vm_insn *insns, uint32_t i,
		     uint8_t *s)
{
	const struct vm_insn *in = &insns[i];
	uint16_t op = in->op;
	switch (op) {
	case BPFRT_OP_LDDW:
		s[in->dst] = map_fact(owner, (uint32_t)in->imm | ((uint64_t)(uint32_t)insns[i + 1].imm << 32));
		return;
	case BPFRT_OP_MOV64_X:
		if (in->dst < MC_NREGS)
			s[in->dst] = in->src < MC_NREGS ? s[in->src] : MC_UNKNOWN;
		return;
	case BPFRT_OP_CALL:
	case BPFRT_OP_CALL_KFUNC:
	case BPFRT_OP_CALL_LOCAL: /* r6-r9 come back as they were (pushed, popped) */
	case BPFRT_OP_CALLX:
	case VM_OP_TAIL_CALL:
		clobber_args(s);
		return;
	default:
		break;
	}
	if (op >= BPFRT_OP_COUNT) { /* VM_OP_LDDW_FUNC writes dst; the rest nothing */
		if (in->dst < MC_NREGS)
			s[in->dst] = MC_UNKNOWN;
		return;
	}
	const struct bpfrt_opcode_info *oc = &bpfrt_opcodes[op];
	if (oc->flags & BPFRT_OPF_JUMP)
		return;
	if (oc->flags & BPFRT_OPF_WRITE_DST && in->dst < MC_NREGS)
		s[in->dst] = MC_UNKNOWN;
	if (oc->form == BPFRT_F_ATOMIC) { /* fetches write src, cmpxchg r0 */
		if (in->src < MC_NREGS)
			s[in->src] = MC_UNKNOWN;
		s[0] = MC_UNKNOWN;
	}
	if (oc->form == BPFRT_F_LDABS || oc->form == BPFRT_F_LDIND)
		clobber_args(s);
}

/* Successors of slot i: up to two (fall-through, jump target); a local
 * call's callee entry is a successor too (it sees the caller's registers). */
static int successors(const struct bpfrt_vm_prog *prog, uint32_t i, uint32_t out[2])
{
	const struct vm_insn *in = &prog->insns[i];
	uint16_t op = in->op;
	int n = 0;
	if (op == BPFRT_OP_EXIT || op == VM_OP_FELL_OFF || op == VM_OP_LDDW_HI)
		return 0;
	bool jump = op < BPFRT_OP_COUNT && (bpfrt_opcodes[op].flags & BPFRT_OPF_JUMP);
	bool cond = jump && (bpfrt_opcodes[op].flags & BPFRT_OPF_COND);
	if (jump) {
		int64_t rel = (op == BPFRT_OP_JA32 || op == BPFRT_OP_CALL_LOCAL) ? in->imm : in->off;
		int64_t t = (int64_t)i + rel + 1;
		if (t >= 0 && t <= (int64_t)prog->cnt)
			out[n++] = (uint32_t)t;
	}
	if (!jump || cond || op == BPFRT_OP_CALL_LOCAL) {
		uint32_t next = i + (op == BPFRT_OP_LDDW || op == VM_OP_LDDW_FUNC ? 2 : 1);
		if (next <= prog->cnt)
			out[n++] = next;
	}
	return n;
}

uint8_t *bpfrt_jit_map_consts(const struct bpfrt_vm_prog *prog)
{
	const struct bpfrt_prog *owner = prog->owner;
	uint32_t cnt = prog->cnt;
	if (!owner || !owner->nr_maps || !cnt)
		return NULL;
	for (uint32_t i = 0; i < cnt; i++)
		if (prog->insns[i].op == BPFRT_OP_CALLX)
			return NULL;
	uint8_t *in = malloc((size_t)(cnt + 1) * MC_NREGS);
	uint8_t *facts = malloc(cnt);
	if (!in || !facts) {
		free(in);
		free(facts);
		return NULL;
	}
	memset(in, MC_UNREACHED, (size_t)(cnt + 1) * MC_NREGS);
	memset(facts, MC_UNKNOWN, cnt);
	uint8_t top[MC_NREGS];
	memset(top, MC_UNKNOWN, sizeof(top));
	join(in, 0, top);
	for (uint32_t i = 0; i < cnt; i++)
		if (prog->insns[i].op == VM_OP_LDDW_FUNC) {
			int64_t t = (int64_t)i + prog->insns[i].imm + 1;
			if (t >= 0 && t < (int64_t)cnt)
				join(in, (uint32_t)t, top);
		}
	/* Round-robin to a fixed point: each slot's facts only go from
	 * unreached to a map to unknown, so a few sweeps settle it; a bound
	 * on the sweeps keeps pathological programs cheap (no facts then). */
	bool changed = true;
	uint32_t sweeps = 0;
	for (; changed && sweeps < 64; sweeps++) {
		changed = false;
		for (uint32_t i = 0; i < cnt; i++) {
			const uint8_t *d = in + (size_t)i * MC_NREGS;
			if (d[0] == MC_UNREACHED) /* joins set all registers at once */
				continue;
			uint8_t s[MC_NREGS];
			memcpy(s, d, MC_NREGS);
			transfer(owner, prog->insns, i, s);
			uint32_t succ[2];
			int n = successors(prog, i, succ);
			for (int k = 0; k < n; k++) {
				/* The fall-through of a local call resumes after the
				 * callee: r0-r5 are the callee's, r6-r9 the caller's. */
				if (prog->insns[i].op == BPFRT_OP_CALL_LOCAL && succ[k] != i + 1) {
					changed |= join(in, succ[k], d);
					continue;
				}
				changed |= join(in, succ[k], s);
			}
		}
	}
	if (changed) {
		free(in);
		free(facts);
		return NULL;
	}
	for (uint32_t i = 0; i < cnt; i++)
		if (prog->insns[i].op == BPFRT_OP_CALL) {
			uint8_t f = in[(size_t)i * MC_NREGS + 1];
			facts[i] = f == MC_UNREACHED ? MC_UNKNOWN : f;
		}
	free(in);
	return facts;
}
