/* uprobe_insn.h — a small x86-64 instruction length decoder for the
 * in-process uprobe trampolines (src/hooks/agent/agent.c): enough of the
 * one- and two-byte opcode maps to walk ordinary compiled function bodies,
 * with what relocation needs to know — is the instruction rip-relative, is
 * it a relative branch (and where to), does control leave indirectly.  An
 * instruction it does not know gets length 0, and the caller falls back to
 * a breakpoint: never a guess.
 */
#ifndef BPFRT_HOOKS_UPROBE_INSN_H
#define BPFRT_HOOKS_UPROBE_INSN_H

#include <stddef.h>
#include <stdint.h>

enum {
	X86_RIPREL = 1u << 0,   /* a memory operand relative to rip */
	X86_BRANCH = 1u << 1,   /* relative jmp/jcc/call: target is set */
	X86_CALL = 1u << 2,     /* a call (relative or indirect) */
	X86_STOP = 1u << 3,     /* control does not fall through: ret, jmp, ud2, hlt */
	X86_INDIRECT = 1u << 4, /* jmp/call through a register or memory */
};

struct x86_insn {
	uint8_t len;
	uint32_t flags;
	uint64_t target; /* X86_BRANCH: the absolute target */
};

/* Decode the instruction at code (avail readable bytes), which lives at
 * address addr.  Returns its length (1..15), or 0 when unknown or cut. */
int bpfrt_x86_decode(const uint8_t *code, size_t avail, uint64_t addr, struct x86_insn *out);

#endif
