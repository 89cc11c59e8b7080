/* cbpf.c — classic BPF to eBPF, in the scheme of the kernel's
 * bpf_convert_filter: A lives in r0, X in r7, the context in r6 (callee
 * saved, as the legacy packet loads and helper calls need it), the scratch
 * words M[0..15] in the top 64 bytes of the stack, r8 a temporary that
 * survives packet loads.  Arithmetic and comparisons are 32-bit (cBPF's
 * registers are 32 bits wide), so A and X stay zero-extended.
 *
 * The direct flavour keeps the packet's start and end in r8 and r9 and
 * loads with explicit bounds checks (a miss jumps to a shared `return 0`
 * after the last instruction); r8 is then not a temporary.
 *
 * Invariant: the input passed bpfrt_cbpf_check, so every jump lands on an
 * instruction and every scratch read follows a write.  Each cBPF
 * instruction becomes a fixed run of eBPF instructions; jumps are emitted
 * against cBPF targets and patched once every run's start is known.
 */
#include "hooks/cbpf.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define R_A BPF_REG_0
#define R_X BPF_REG_7
#define R_CTX BPF_REG_6
#define R_TMP BPF_REG_8
#define R_DATA BPF_REG_8     /* direct flavour: __sk_buff.data */
#define R_DATA_END BPF_REG_9 /* direct flavour: __sk_buff.data_end */
#define MAX_PER_INSN 12      /* eBPF instructions one cBPF instruction may become */
#define PROLOGUE 5
#define EPILOGUE 2
/* The largest offset the verifier lets a packet pointer carry (the
 * kernel's MAX_PACKET_OFF); further offsets keep the legacy loads. */
#define MAX_PKT_OFF 0xffff
#define A_SPILL (-(BPF_MEMWORDS * 4) - 8) /* stack slot below M[] */

struct emit {
	struct bpf_insn *out;
	uint32_t n;
	uint32_t miss; /* direct flavour: the jump target index of `return 0` */
	/* For each emitted jump: the cBPF instruction it targets (-1: none). */
	int32_t *target;
};

static void put(struct emit *e, uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	e->target[e->n] = -1;
	e->out[e->n++] = (struct bpf_insn){.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
}

/* A jump to cBPF instruction `to`, its offset patched later. */
static void put_jump(struct emit *e, uint8_t code, uint8_t dst, uint8_t src, int32_t imm, uint32_t to)
{
	put(e, code, dst, src, 0, imm);
	e->target[e->n - 1] = (int32_t)to;
}

static int16_t mem_off(uint32_t k)
{
	return (int16_t)(-(int32_t)(BPF_MEMWORDS - k) * 4);
}

static void put_ret_zero(struct emit *e)
{
	put(e, BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, 0);
	put(e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

static void put_ctx_load(struct emit *e, uint8_t dst, size_t off)
{
	put(e, BPF_LDX | BPF_MEM | BPF_W, dst, R_CTX, (int16_t)off, 0);
}

/* A = ntohs(low 16 bits of A): __sk_buff keeps protocol and vlan_proto as
 * the kernel's __be16 values. */
static void put_ntohs(struct emit *e)
{
	put(e, BPF_ALU | BPF_END | BPF_TO_BE, R_A, 0, 0, 16);
}

/* Ancillary loads (SKF_AD_OFF + code) into A, the kernel's
 * convert_bpf_extensions on __sk_buff fields.  -EOPNOTSUPP for the ones
 * with no meaning for a packet outside the kernel. */
static int put_ancillary(struct emit *e, uint32_t pc, uint32_t ad, struct bpfrt_diag *diag)
{
	switch (ad) {
	case SKF_AD_PROTOCOL:
		put_ctx_load(e, R_A, offsetof(struct __sk_buff, protocol));
		put_ntohs(e);
		return 0;
	case SKF_AD_PKTTYPE: put_ctx_load(e, R_A, offsetof(struct __sk_buff, pkt_type)); return 0;
	case SKF_AD_IFINDEX: put_ctx_load(e, R_A, offsetof(struct __sk_buff, ifindex)); return 0;
	case SKF_AD_MARK: put_ctx_load(e, R_A, offsetof(struct __sk_buff, mark)); return 0;
	case SKF_AD_QUEUE: put_ctx_load(e, R_A, offsetof(struct __sk_buff, queue_mapping)); return 0;
	case SKF_AD_RXHASH: put_ctx_load(e, R_A, offsetof(struct __sk_buff, hash)); return 0;
	case SKF_AD_VLAN_TAG: put_ctx_load(e, R_A, offsetof(struct __sk_buff, vlan_tci)); return 0;
	case SKF_AD_VLAN_TAG_PRESENT: put_ctx_load(e, R_A, offsetof(struct __sk_buff, vlan_present)); return 0;
	case SKF_AD_VLAN_TPID:
		put_ctx_load(e, R_A, offsetof(struct __sk_buff, vlan_proto));
		put_ntohs(e);
		return 0;
	case SKF_AD_ALU_XOR_X: put(e, BPF_ALU | BPF_XOR | BPF_X, R_A, R_X, 0, 0); return 0;
	case SKF_AD_CPU:
	case SKF_AD_RANDOM:
		/* The call clobbers r1-r5 only; r0 = A gets the result. */
		put(e, BPF_JMP | BPF_CALL, 0, 0, 0,
		    ad == SKF_AD_CPU ? BPF_FUNC_get_smp_processor_id : BPF_FUNC_get_prandom_u32);
		put(e, BPF_ALU | BPF_MOV | BPF_X, R_A, R_A, 0, 0);
		return 0;
	default: {
		const char *what = ad == SKF_AD_NLATTR || ad == SKF_AD_NLATTR_NEST ? "netlink attribute search"
				   : ad == SKF_AD_HATYPE			      ? "device hardware type"
				   : ad == SKF_AD_PAY_OFFSET			      ? "payload offset (flow dissector)"
										      : "ancillary load";
		return cbpf_fail(diag, -EOPNOTSUPP, (int32_t)pc,
				 "ancillary load SKF_AD_OFF+%u (%s) has no meaning outside the kernel", ad, what);
	}
	}
}

static uint8_t size_of(uint16_t code)
{
	return (uint8_t)BPF_SIZE(code);
}

static uint8_t ebpf_size(uint16_t code)
{
	return (uint8_t)BPF_SIZE(code); /* cBPF's W/H/B are eBPF's */
}

/* w0 (loaded from the packet in network order) to host order. */
static void put_from_be(struct emit *e, uint16_t code)
{
	if (BPF_SIZE(code) != BPF_B)
		put(e, BPF_ALU | BPF_END | BPF_TO_BE, R_A, 0, 0, BPF_SIZE(code) == BPF_H ? 16 : 32);
}

static uint32_t bytes_of(uint16_t code)
{
	return BPF_SIZE(code) == BPF_W ? 4 : BPF_SIZE(code) == BPF_H ? 2 : 1;
}

/* Direct flavour, A = packet[k] for 0 <= k <= MAX_PKT_OFF - size: prove
 * data + k + size <= data_end, else return 0; then load and swap. */
static void put_direct_abs(struct emit *e, uint16_t code, uint8_t dst, uint32_t k)
{
	uint32_t size = bytes_of(code);
	if (k + size <= INT16_MAX) {
		put(e, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, R_DATA, 0, 0);
		put(e, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, (int32_t)(k + size));
		put_jump(e, BPF_JMP | BPF_JGT | BPF_X, BPF_REG_3, R_DATA_END, 0, e->miss);
		put(e, BPF_LDX | BPF_MEM | ebpf_size(code), dst, R_DATA, (int16_t)k, 0);
	} else {
		put(e, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, R_DATA, 0, 0);
		put(e, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, (int32_t)k);
		put(e, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
		put(e, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_3, 0, 0, (int32_t)size);
		put_jump(e, BPF_JMP | BPF_JGT | BPF_X, BPF_REG_3, R_DATA_END, 0, e->miss);
		put(e, BPF_LDX | BPF_MEM | ebpf_size(code), dst, BPF_REG_2, 0, 0);
	}
	if (dst == R_A)
		put_from_be(e, code);
}

/* Direct flavour, A = packet[X + k]: the 32-bit sum, bounded for the
 * verifier, then checked against data_end; a sum beyond MAX_PKT_OFF
 * takes the legacy load (the kernel's semantics for any offset). */
static void put_direct_ind(struct emit *e, const struct sock_filter *in)
{
	uint32_t size = bytes_of(in->code);
	bool swap = BPF_SIZE(in->code) != BPF_B;
	put(e, BPF_ALU | BPF_MOV | BPF_X, BPF_REG_2, R_X, 0, 0);
	put(e, BPF_ALU | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, (int32_t)in->k);
	/* to the legacy load: over the 7 (8 with the swap) below */
	put(e, BPF_JMP | BPF_JGT | BPF_K, BPF_REG_2, 0, swap ? 8 : 7, (int32_t)(MAX_PKT_OFF - size));
	put(e, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, R_DATA, 0, 0);
	put(e, BPF_ALU64 | BPF_ADD | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	put(e, BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_4, BPF_REG_3, 0, 0);
	put(e, BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_4, 0, 0, (int32_t)size);
	put_jump(e, BPF_JMP | BPF_JGT | BPF_X, BPF_REG_4, R_DATA_END, 0, e->miss);
	put(e, BPF_LDX | BPF_MEM | ebpf_size(in->code), R_A, BPF_REG_3, 0, 0);
	if (swap)
		put_from_be(e, in->code);
	put(e, BPF_JMP | BPF_JA, 0, 0, 1, 0);
	put(e, BPF_LD | ebpf_size(in->code) | BPF_IND, 0, R_X, 0, (int32_t)in->k);
}

/* LD ABS/IND of the socket flavour: the legacy packet loads (network byte
 * order, a miss returns 0), which leave the value in r0 = A. */
static int put_packet_load(struct emit *e, const struct sock_filter *in, uint32_t pc, bool direct,
			   struct bpfrt_diag *diag)
{
	int32_t k = (int32_t)in->k;
	if (BPF_MODE(in->code) == BPF_IND) {
		if (direct)
			put_direct_ind(e, in);
		else
			put(e, BPF_LD | size_of(in->code) | BPF_IND, 0, R_X, 0, k);
		return 0;
	}
	if (cbpf_is_ancillary(in))
		return put_ancillary(e, pc, in->k - (uint32_t)SKF_AD_OFF, diag);
	if (k >= SKF_LL_OFF && k < SKF_NET_OFF) {
		/* The link layer header: where the packet starts here. */
		k -= SKF_LL_OFF;
	} else if (k >= SKF_NET_OFF && k < SKF_AD_OFF) {
		return cbpf_fail(diag, -EOPNOTSUPP, (int32_t)pc,
				 "load at SKF_NET_OFF%+d: the network header's offset is unknown here",
				 k - SKF_NET_OFF);
	}
	if (direct && k >= 0 && (uint32_t)k + bytes_of(in->code) <= MAX_PKT_OFF) {
		put_direct_abs(e, in->code, R_A, (uint32_t)k);
		return 0;
	}
	/* Any other negative offset is a miss at run time, as in the kernel. */
	put(e, BPF_LD | size_of(in->code) | BPF_ABS, 0, 0, 0, k);
	return 0;
}

static int put_load(struct emit *e, const struct sock_filter *in, uint32_t pc, enum bpfrt_cbpf_flavor flavor,
		    struct bpfrt_diag *diag)
{
	switch (in->code) {
	case BPF_LD | BPF_IMM: put(e, BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, (int32_t)in->k); return 0;
	case BPF_LDX | BPF_IMM: put(e, BPF_ALU | BPF_MOV | BPF_K, R_X, 0, 0, (int32_t)in->k); return 0;
	case BPF_LD | BPF_MEM: put(e, BPF_LDX | BPF_MEM | BPF_W, R_A, BPF_REG_10, mem_off(in->k), 0); return 0;
	case BPF_LDX | BPF_MEM: put(e, BPF_LDX | BPF_MEM | BPF_W, R_X, BPF_REG_10, mem_off(in->k), 0); return 0;
	case BPF_LD | BPF_W | BPF_LEN:
	case BPF_LDX | BPF_W | BPF_LEN: {
		uint8_t dst = BPF_CLASS(in->code) == BPF_LD ? R_A : R_X;
		if (flavor == BPFRT_CBPF_SECCOMP)
			put(e, BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, (int32_t)sizeof(struct seccomp_data));
		else
			put_ctx_load(e, dst, offsetof(struct __sk_buff, len));
		return 0;
	}
	case BPF_LDX | BPF_B | BPF_MSH:
		/* X = 4 * (pkt[k] & 0xf) */
		if (flavor == BPFRT_CBPF_SOCKET_FILTER_DIRECT && in->k < MAX_PKT_OFF) {
			put_direct_abs(e, in->code, R_X, in->k);
			put(e, BPF_ALU | BPF_AND | BPF_K, R_X, 0, 0, 0xf);
			put(e, BPF_ALU | BPF_LSH | BPF_K, R_X, 0, 0, 2);
			return 0;
		}
		/* The legacy load overwrites r0: A waits in r8, or on the stack
		 * where r8 holds the packet's start. */
		if (flavor == BPFRT_CBPF_SOCKET_FILTER_DIRECT)
			put(e, BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, R_A, A_SPILL, 0);
		else
			put(e, BPF_ALU64 | BPF_MOV | BPF_X, R_TMP, R_A, 0, 0);
		put(e, BPF_LD | BPF_B | BPF_ABS, 0, 0, 0, (int32_t)in->k);
		put(e, BPF_ALU | BPF_AND | BPF_K, R_A, 0, 0, 0xf);
		put(e, BPF_ALU | BPF_LSH | BPF_K, R_A, 0, 0, 2);
		put(e, BPF_ALU | BPF_MOV | BPF_X, R_X, R_A, 0, 0);
		if (flavor == BPFRT_CBPF_SOCKET_FILTER_DIRECT)
			put(e, BPF_LDX | BPF_MEM | BPF_W, R_A, BPF_REG_10, A_SPILL, 0);
		else
			put(e, BPF_ALU64 | BPF_MOV | BPF_X, R_A, R_TMP, 0, 0);
		return 0;
	default:
		if (flavor == BPFRT_CBPF_SECCOMP) {
			/* The checker allowed aligned word loads of seccomp_data only. */
			put_ctx_load(e, R_A, in->k);
			return 0;
		}
		return put_packet_load(e, in, pc, flavor == BPFRT_CBPF_SOCKET_FILTER_DIRECT, diag);
	}
}

static void put_alu(struct emit *e, const struct sock_filter *in)
{
	uint8_t op = (uint8_t)BPF_OP(in->code);
	if (op == BPF_NEG) {
		put(e, BPF_ALU | BPF_NEG, R_A, 0, 0, 0);
		return;
	}
	if (BPF_SRC(in->code) == BPF_K) {
		put(e, BPF_ALU | op | BPF_K, R_A, 0, 0, (int32_t)in->k);
		return;
	}
	if (op == BPF_DIV || op == BPF_MOD) {
		/* cBPF ends the program with 0 on a division by X = 0; eBPF
		 * would go on with 0 (div) or A (mod). */
		put(e, BPF_JMP32 | BPF_JNE | BPF_K, R_X, 0, 2, 0);
		put_ret_zero(e);
	}
	put(e, BPF_ALU | op | BPF_X, R_A, R_X, 0, 0);
}

static uint8_t inverse(uint8_t op)
{
	switch (op) {
	case BPF_JEQ: return BPF_JNE;
	case BPF_JGT: return BPF_JLE;
	case BPF_JGE: return BPF_JLT;
	default: return 0; /* JSET has none */
	}
}

/* if (A op k/X) goto pc+1+jt else goto pc+1+jf, with as few jumps as the
 * kernel uses: one when a branch falls through, two otherwise. */
static void put_cond(struct emit *e, const struct sock_filter *in, uint32_t pc)
{
	uint8_t op = (uint8_t)BPF_OP(in->code);
	bool x = BPF_SRC(in->code) == BPF_X;
	uint8_t src = x ? R_X : 0;
	int32_t imm = x ? 0 : (int32_t)in->k;
	uint32_t t = pc + 1 + in->jt, f = pc + 1 + in->jf;
	if (t == f) { /* both ways lead to one place */
		if (t != pc + 1)
			put_jump(e, BPF_JMP | BPF_JA, 0, 0, 0, t);
		return;
	}
	if (in->jt == 0 && inverse(op)) {
		put_jump(e, BPF_JMP32 | inverse(op) | BPF_SRC(in->code), R_A, src, imm, f);
		return;
	}
	put_jump(e, BPF_JMP32 | op | BPF_SRC(in->code), R_A, src, imm, t);
	if (in->jf)
		put_jump(e, BPF_JMP | BPF_JA, 0, 0, 0, f);
}

static int put_insn(struct emit *e, const struct sock_filter *in, uint32_t pc, enum bpfrt_cbpf_flavor flavor,
		    struct bpfrt_diag *diag)
{
	switch (BPF_CLASS(in->code)) {
	case BPF_LD:
	case BPF_LDX:
		return put_load(e, in, pc, flavor, diag);
	case BPF_ST:
	case BPF_STX:
		put(e, BPF_STX | BPF_MEM | BPF_W, BPF_REG_10, BPF_CLASS(in->code) == BPF_ST ? R_A : R_X,
		    mem_off(in->k), 0);
		return 0;
	case BPF_ALU:
		put_alu(e, in);
		return 0;
	case BPF_JMP:
		if (BPF_OP(in->code) == BPF_JA) {
			if (in->k)
				put_jump(e, BPF_JMP | BPF_JA, 0, 0, 0, pc + 1 + in->k);
		} else {
			put_cond(e, in, pc);
		}
		return 0;
	case BPF_RET:
		if (BPF_RVAL(in->code) == BPF_K)
			put(e, BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, (int32_t)in->k);
		put(e, BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
		return 0;
	case BPF_MISC:
		if (BPF_MISCOP(in->code) == BPF_TAX)
			put(e, BPF_ALU | BPF_MOV | BPF_X, R_X, R_A, 0, 0);
		else
			put(e, BPF_ALU | BPF_MOV | BPF_X, R_A, R_X, 0, 0);
		return 0;
	default:
		return cbpf_fail(diag, -EINVAL, (int32_t)pc, "unknown opcode 0x%02x", in->code);
	}
}

/* Mark the instructions control can reach from the first: the eBPF
 * verifier refuses unreachable code (the kernel's classic path never meets
 * it), so dead cBPF instructions are not translated. */
static void mark_reachable(const struct sock_filter *prog, uint32_t len, bool *live)
{
	live[0] = true;
	for (uint32_t pc = 0; pc < len; pc++) {
		const struct sock_filter *in = &prog[pc];
		if (!live[pc])
			continue;
		switch (BPF_CLASS(in->code)) {
		case BPF_RET:
			break;
		case BPF_JMP:
			if (BPF_OP(in->code) == BPF_JA) {
				live[pc + 1 + in->k] = true;
			} else {
				live[pc + 1 + in->jt] = true;
				live[pc + 1 + in->jf] = true;
			}
			break;
		default:
			live[pc + 1] = true; /* the checker proved a RET ends the program */
			break;
		}
	}
}

/* Turn the recorded cBPF targets into eBPF offsets. */
static int patch_jumps(struct emit *e, const uint32_t *start, struct bpfrt_diag *diag)
{
	for (uint32_t i = 0; i < e->n; i++) {
		if (e->target[i] < 0)
			continue;
		int64_t off = (int64_t)start[e->target[i]] - (int64_t)(i + 1);
		if (off > INT16_MAX)
			return cbpf_fail(diag, -E2BIG, e->target[i],
					 "the translated jump to here is %lld instructions long (eBPF's limit is %d)",
					 (long long)off, INT16_MAX);
		e->out[i].off = (int16_t)off;
	}
	return 0;
}

int bpfrt_cbpf_translate(const struct sock_filter *prog, uint32_t len, enum bpfrt_cbpf_flavor flavor,
			 struct bpf_insn **out, uint32_t *out_cnt, struct bpfrt_diag *diag)
{
	if (!out || !out_cnt)
		return cbpf_fail(diag, -EINVAL, -1, "no place for the translation");
	int err = bpfrt_cbpf_check(prog, len, flavor, diag);
	if (err)
		return err;
	size_t cap = PROLOGUE + (size_t)len * MAX_PER_INSN + EPILOGUE;
	struct emit e = {.out = calloc(cap, sizeof(*e.out)), .target = calloc(cap, sizeof(*e.target)), .miss = len};
	uint32_t *start = calloc(len + 1, sizeof(*start)); /* [len]: the direct flavour's `return 0` */
	bool *live = calloc(len, sizeof(*live));
	if (!e.out || !e.target || !start || !live) {
		err = cbpf_fail(diag, -ENOMEM, -1, "out of memory translating %u instructions", len);
		goto out;
	}
	put(&e, BPF_ALU64 | BPF_MOV | BPF_X, R_CTX, BPF_REG_1, 0, 0);
	put(&e, BPF_ALU | BPF_MOV | BPF_K, R_A, 0, 0, 0);
	put(&e, BPF_ALU | BPF_MOV | BPF_K, R_X, 0, 0, 0);
	bool direct = flavor == BPFRT_CBPF_SOCKET_FILTER_DIRECT;
	if (direct) {
		put_ctx_load(&e, R_DATA, offsetof(struct __sk_buff, data));
		put_ctx_load(&e, R_DATA_END, offsetof(struct __sk_buff, data_end));
	}
	mark_reachable(prog, len, live);
	bool missed = false;
	for (uint32_t pc = 0; pc < len && !err; pc++) {
		start[pc] = e.n;
		uint32_t before = e.n;
		if (live[pc])
			err = put_insn(&e, &prog[pc], pc, flavor, diag);
		for (uint32_t i = before; i < e.n; i++)
			missed |= e.target[i] == (int32_t)len;
	}
	/* The shared miss exit, only when something jumps there: the
	 * verifier refuses unreachable code. */
	start[len] = e.n;
	if (missed)
		put_ret_zero(&e);
	if (!err)
		err = patch_jumps(&e, start, diag);
	if (!err) {
		*out = e.out;
		*out_cnt = e.n;
		e.out = NULL;
	}
out:
	free(e.out);
	free(e.target);
	free(start);
	free(live);
	return err;
}
