/* uprobe_insn.c — x86-64 instruction lengths (uprobe_insn.h).  Legacy
 * prefixes, REX, then the opcode: a table per opcode map says whether a
 * ModRM byte follows and how large the immediate is.  ModRM decoding gives
 * the SIB/displacement bytes and spots rip-relative operands.  Opcodes
 * left out (x87, VEX/EVEX, 3DNow!, far transfers, segment loads, string
 * I/O) decode as unknown.
 */
#include "hooks/uprobe_insn.h"

#include <stdbool.h>
#include <string.h>

/* Per one-byte opcode: M = has ModRM, immediate: B = 1 byte, Z = 2/4 by
 * operand size (4 with REX.W too, except mov r64, imm64), W = 2 bytes,
 * X = unknown opcode. */
enum { N = 0, M = 1, B = 2, Z = 4, W = 8, X = 16 };

static const uint8_t map1[256] = {
	/* 00 */ M, M, M, M, B, Z, X, X, M, M, M, M, B, Z, X, X,
	/* 10 */ M, M, M, M, B, Z, X, X, M, M, M, M, B, Z, X, X,
	/* 20 */ M, M, M, M, B, Z, X, X, M, M, M, M, B, Z, X, X,
	/* 30 */ M, M, M, M, B, Z, X, X, M, M, M, M, B, Z, X, X,
	/* 40 */ X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, /* REX: prefixes */
	/* 50 */ N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N,
	/* 60 */ X, X, X, M, X, X, X, X, Z, M | Z, B, M | B, X, X, X, X,
	/* 70 */ B, B, B, B, B, B, B, B, B, B, B, B, B, B, B, B,
	/* 80 */ M | B, M | Z, X, M | B, M, M, M, M, M, M, M, M, X, M, X, M,
	/* 90 */ N, N, N, N, N, N, N, N, N, N, X, X, N, N, X, X,
	/* a0 */ X, X, X, X, X, X, X, X, B, Z, X, X, X, X, X, X,
	/* b0 */ B, B, B, B, B, B, B, B, Z, Z, Z, Z, Z, Z, Z, Z,
	/* c0 */ M | B, M | B, W, N, X, X, M | B, M | Z, X, N, X, X, N, X, X, X,
	/* d0 */ M, M, M, M, X, X, X, X, X, X, X, X, X, X, X, X,
	/* e0 */ X, X, X, X, X, X, X, X, Z, Z, X, B, X, X, X, X,
	/* f0 */ X, X, X, X, N, N, M, M, N, N, X, X, N, N, M, M,
};

/* Two-byte map (0f xx): the common integer and SSE instructions. */
static uint8_t map2(uint8_t op)
{
	if (op == 0x05 || op == 0x0b || op == 0xa2 || (op >= 0xc8 && op <= 0xcf))
		return N; /* syscall, ud2, cpuid, bswap */
	if (op == 0x1e || op == 0x1f || op == 0x18 || op == 0x0d)
		return M; /* endbr (f3 0f 1e fa), nop r/m, prefetch */
	if (op >= 0x10 && op <= 0x17)
		return M;
	if (op >= 0x28 && op <= 0x2f)
		return M;
	if (op >= 0x40 && op <= 0x4f)
		return M; /* cmovcc */
	if (op >= 0x50 && op <= 0x6f)
		return M;
	if (op == 0x70 || op == 0x71 || op == 0x72 || op == 0x73)
		return M | B; /* pshufd, shifts by imm */
	if (op >= 0x74 && op <= 0x76)
		return M;
	if (op == 0x7e || op == 0x7f || op == 0xd6)
		return M;
	if (op >= 0x80 && op <= 0x8f)
		return Z; /* jcc rel32 */
	if (op >= 0x90 && op <= 0x9f)
		return M; /* setcc */
	if (op == 0xa3 || op == 0xab || op == 0xaf || op == 0xb0 || op == 0xb1 || op == 0xb3 || op == 0xbb ||
	    (op >= 0xb6 && op <= 0xb7) || (op >= 0xbc && op <= 0xbf) || op == 0xc0 || op == 0xc1)
		return M; /* bt, imul, cmpxchg, movzx/movsx, bsf/bsr/tzcnt/lzcnt, xadd */
	if (op == 0xa4 || op == 0xac || op == 0xba || op == 0xc2 || op == 0xc6)
		return M | B; /* shld/shrd imm, bt imm, cmpps, shufps */
	if (op == 0xa5 || op == 0xad)
		return M;
	if (op >= 0xd0 && op != 0xff)
		return M; /* SSE2 integer ops */
	return X;
}

/* Bytes of ModRM + SIB + displacement at p; sets *riprel. 0 if cut. */
static int modrm_len(const uint8_t *p, size_t avail, bool *riprel, bool addr32)
{
	(void)addr32;
	if (!avail)
		return 0;
	uint8_t modrm = p[0], mod = modrm >> 6, rm = modrm & 7;
	int n = 1;
	*riprel = false;
	if (mod == 3)
		return 1;
	if (rm == 4) {
		if (avail < 2)
			return 0;
		uint8_t sib = p[1];
		n++;
		if (mod == 0 && (sib & 7) == 5)
			n += 4;
	} else if (mod == 0 && rm == 5) {
		*riprel = true;
		n += 4;
	}
	if (mod == 1)
		n += 1;
	else if (mod == 2)
		n += 4;
	return (size_t)n <= avail ? n : 0;
}

int bpfrt_x86_decode(const uint8_t *code, size_t avail, uint64_t addr, struct x86_insn *out)
{
	memset(out, 0, sizeof(*out));
	size_t i = 0;
	bool opsize16 = false, addr32 = false, rex_w = false;
	/* legacy prefixes */
	while (i < avail && i < 14) {
		uint8_t b = code[i];
		if (b == 0x66)
			opsize16 = true;
		else if (b == 0x67)
			addr32 = true;
		else if (!(b == 0xf2 || b == 0xf3 || b == 0x2e || b == 0x3e || b == 0x26 || b == 0x36 || b == 0x64 ||
			   b == 0x65 || b == 0xf0))
			break;
		i++;
	}
	if (i < avail && (code[i] & 0xf0) == 0x40) {
		rex_w = (code[i] & 8) != 0;
		i++;
	}
	if (i >= avail)
		return 0;
	uint8_t op = code[i++], cls;
	bool two = false;
	if (op == 0x0f) {
		if (i >= avail)
			return 0;
		op = code[i++];
		two = true;
		if (op == 0x38 || op == 0x3a) {
			/* three-byte maps: ModRM, and an imm8 for 0f 3a */
			if (i >= avail)
				return 0;
			cls = M | (op == 0x3a ? B : 0);
			i++;
		} else {
			cls = map2(op);
		}
	} else {
		cls = map1[op];
	}
	if (cls & X)
		return 0;
	int64_t rel = 0;
	size_t imm_at = 0;
	if (cls & M) {
		bool rip;
		int n = modrm_len(code + i, avail - i, &rip, addr32);
		if (!n)
			return 0;
		uint8_t reg = (code[i] >> 3) & 7, mod = code[i] >> 6;
		if (rip)
			out->flags |= X86_RIPREL;
		if (!two && op == 0xff) {
			if (reg == 2 || reg == 3)
				out->flags |= X86_CALL | X86_INDIRECT;
			else if (reg == 4 || reg == 5)
				out->flags |= X86_STOP | X86_INDIRECT;
			else if (reg == 7)
				return 0;
		}
		if (!two && op == 0xf6 && reg == 0)
			cls |= B; /* test r/m8, imm8 */
		if (!two && op == 0xf7 && reg == 0)
			cls |= Z; /* test r/m, imm */
		if (!two && op == 0x8f && reg != 0)
			return 0;
		(void)mod;
		i += (size_t)n;
	}
	imm_at = i;
	if (cls & B)
		i += 1;
	if (cls & W)
		i += 2;
	if (cls & Z) {
		bool imm64 = !two && op >= 0xb8 && op <= 0xbf && rex_w;
		i += imm64 ? 8 : (opsize16 && !(two && op >= 0x80 && op <= 0x8f) && !(op == 0xe8 || op == 0xe9) ? 2 : 4);
	}
	if (i > avail || i > 15)
		return 0;
	/* control flow */
	if (!two && ((op >= 0x70 && op <= 0x7f) || op == 0xeb)) {
		rel = (int8_t)code[imm_at];
		out->flags |= X86_BRANCH | (op == 0xeb ? X86_STOP : 0);
	} else if ((!two && (op == 0xe8 || op == 0xe9)) || (two && op >= 0x80 && op <= 0x8f)) {
		int32_t r32;
		memcpy(&r32, code + imm_at, 4);
		rel = r32;
		out->flags |= X86_BRANCH | (!two && op == 0xe8 ? X86_CALL : 0) | (!two && op == 0xe9 ? X86_STOP : 0);
	} else if (!two && (op == 0xc3 || op == 0xc2 || op == 0xf4)) {
		out->flags |= X86_STOP;
	} else if (two && op == 0x0b) {
		out->flags |= X86_STOP;
	}
	out->len = (uint8_t)i;
	if (out->flags & X86_BRANCH)
		out->target = addr + i + (uint64_t)rel;
	return (int)i;
}
