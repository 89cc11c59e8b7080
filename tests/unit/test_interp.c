/* test_interp.c — the interpreter's behaviour beyond the conformance suite:
 * bounds-checked mode (stack, ctx, packet, extra regions, atomics), faults
 * with instruction indexes, call depth, callx targets, tail calls, legacy
 * packet loads, helpers and the instruction budget. */
#include "bpfrt/bpfrt.h"
#include "check.h"

#include <errno.h>
#include <string.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define LDX(sz, d, s, o) INSN(BPF_LDX | BPF_MEM | (sz), d, s, o, 0)
#define STX(sz, d, s, o) INSN(BPF_STX | BPF_MEM | (sz), d, s, o, 0)
#define ST(sz, d, o, i) INSN(BPF_ST | BPF_MEM | (sz), d, 0, o, i)
#define CALL_LOCAL(rel) INSN(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, rel)
#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))

static struct bpfrt *rt;

/* Run insns in the given mode; returns the run's error, r0 in *r0. */
static int run(const struct bpf_insn *insns, uint32_t cnt, struct bpfrt_run_opts *o, uint64_t *r0,
	       struct bpfrt_diag *diag)
{
	struct bpfrt_vm_prog *p = NULL;
	int err = bpfrt_vm_prog_new(rt, insns, cnt, NULL, &p, diag);
	if (err)
		return 1000 + err;
	err = bpfrt_vm_run(p, o, r0, diag);
	bpfrt_vm_prog_free(p);
	return err;
}

static void expect_fault(const char *what, const struct bpf_insn *insns, uint32_t cnt,
			 struct bpfrt_run_opts *o, int32_t insn, const char *needle)
{
	uint64_t r0 = 0;
	struct bpfrt_diag diag = {0};
	o->flags |= BPFRT_RUN_CHECKED;
	int err = run(insns, cnt, o, &r0, &diag);
	CHECK(err == -EFAULT, "%s: expected -EFAULT, got %d (%s)", what, err, diag.msg);
	CHECK(diag.insn == insn, "%s: expected insn %d, got %d (%s)", what, insn, diag.insn, diag.msg);
	CHECK(strstr(diag.msg, needle), "%s: message '%s' lacks '%s'", what, diag.msg, needle);
}

static void test_checked_stack(void)
{
	const struct bpf_insn below[] = {MOV64_IMM(0, 0), LDX(BPF_DW, 0, 10, -(BPFRT_STACK_SIZE * BPFRT_MAX_FRAMES) - 8), EXIT};
	const struct bpf_insn above[] = {MOV64_IMM(1, 7), STX(BPF_W, 10, 1, 0), MOV64_IMM(0, 0), EXIT};
	const struct bpf_insn straddle[] = {MOV64_IMM(0, 0), LDX(BPF_DW, 0, 10, -4), EXIT};
	const struct bpf_insn ok[] = {ST(BPF_DW, 10, -8, 42), LDX(BPF_DW, 0, 10, -8), EXIT};
	struct bpfrt_run_opts o = {.sz = sizeof(o)};
	expect_fault("read below the stack", below, N(below), &o, 1, "read of 8 bytes");
	expect_fault("write above the stack", above, N(above), &o, 1, "write of 4 bytes at stack+0");
	expect_fault("read straddling the stack top", straddle, N(straddle), &o, 1, "stack-4");
	uint64_t r0 = 0;
	o.flags = BPFRT_RUN_CHECKED;
	CHECK(run(ok, N(ok), &o, &r0, NULL) == 0 && r0 == 42, "stack round trip: r0=%llu", (unsigned long long)r0);
}

static void test_checked_ctx(void)
{
	uint8_t ctx[16] = {1, 2, 3, 4};
	const struct bpf_insn in[] = {LDX(BPF_W, 0, 1, 12), EXIT};
	const struct bpf_insn past[] = {LDX(BPF_W, 0, 1, 13), EXIT};
	const struct bpf_insn before[] = {LDX(BPF_B, 0, 1, -1), EXIT};
	const struct bpf_insn wr[] = {MOV64_IMM(2, 9), STX(BPF_DW, 1, 2, 16), MOV64_IMM(0, 0), EXIT};
	struct bpfrt_run_opts o = {.sz = sizeof(o), .ctx = ctx, .ctx_size = sizeof(ctx)};
	expect_fault("ctx read past the end", past, N(past), &o, 0, "ctx+13");
	expect_fault("ctx read before the start", before, N(before), &o, 0, "ctx-1");
	expect_fault("ctx write past the end", wr, N(wr), &o, 1, "write of 8 bytes at ctx+16");
	uint64_t r0 = 1;
	o.flags = BPFRT_RUN_CHECKED;
	CHECK(run(in, N(in), &o, &r0, NULL) == 0 && r0 == 0, "ctx last word: r0=%llu", (unsigned long long)r0);
}

static void test_checked_packet_and_regions(void)
{
	uint8_t pkt[60] = {0};
	uint64_t value = 5;
	pkt[59] = 0xab;
	/* r2 = packet pointer passed as second argument */
	const struct bpf_insn last[] = {LDX(BPF_B, 0, 2, 59), EXIT};
	const struct bpf_insn past[] = {LDX(BPF_H, 0, 2, 59), EXIT};
	const struct bpf_insn ro_write[] = {ST(BPF_DW, 3, 0, 1), MOV64_IMM(0, 0), EXIT};
	uint64_t args[3] = {0, (uintptr_t)pkt, (uintptr_t)&value};
	struct bpfrt_region region = {.name = "map value", .start = &value, .size = 8, .flags = BPFRT_REGION_READ};
	struct bpfrt_run_opts o = {.sz = sizeof(o), .args = args, .nr_args = 3, .packet = pkt,
				   .packet_size = sizeof(pkt), .regions = &region, .nr_regions = 1};
	expect_fault("packet read past data_end", past, N(past), &o, 0, "read of 2 bytes at packet+59");
	expect_fault("write to a read-only region", ro_write, N(ro_write), &o, 0, "read-only");
	uint64_t r0 = 0;
	o.flags = BPFRT_RUN_CHECKED;
	CHECK(run(last, N(last), &o, &r0, NULL) == 0 && r0 == 0xab, "packet last byte");
	/* An address far from every region. */
	const struct bpf_insn wild[] = {INSN(BPF_LD | BPF_IMM | BPF_DW, 1, 0, 0, 0x1000), INSN(0, 0, 0, 0, 0),
					LDX(BPF_DW, 0, 1, 0), EXIT};
	expect_fault("wild pointer", wild, N(wild), &o, 2, "not inside the stack");
}

static void test_checked_atomic(void)
{
	const struct bpf_insn misaligned[] = {ST(BPF_DW, 10, -16, 0), MOV64_IMM(1, 1),
					      INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 10, 1, -12, BPF_ADD), MOV64_IMM(0, 0), EXIT};
	const struct bpf_insn oob[] = {MOV64_IMM(1, 1), INSN(BPF_STX | BPF_ATOMIC | BPF_W, 10, 1, 0, BPF_ADD), MOV64_IMM(0, 0), EXIT};
	struct bpfrt_run_opts o = {.sz = sizeof(o)};
	expect_fault("misaligned atomic", misaligned, N(misaligned), &o, 2, "misaligned");
	expect_fault("atomic above the stack", oob, N(oob), &o, 1, "write of 4 bytes");
}

/* r6-r9 survive calls; each frame has its own 512 bytes. */
static void test_calls(void)
{
	const struct bpf_insn prog[] = {
		MOV64_IMM(6, 6), ST(BPF_DW, 10, -8, 100), CALL_LOCAL(3),
		LDX(BPF_DW, 1, 10, -8), INSN(BPF_ALU64 | BPF_ADD | BPF_X, 0, 1, 0, 0), EXIT,
		/* f: */ ST(BPF_DW, 10, -8, 5), MOV64_IMM(6, 0), LDX(BPF_DW, 0, 10, -8), EXIT,
	};
	uint64_t r0 = 0;
	struct bpfrt_run_opts o = {.sz = sizeof(o), .flags = BPFRT_RUN_CHECKED};
	int err = run(prog, N(prog), &o, &r0, NULL);
	CHECK(err == 0 && r0 == 105, "calls: err %d r0 %llu", err, (unsigned long long)r0);

	/* Unbounded recursion stops at the frame limit. */
	const struct bpf_insn rec[] = {CALL_LOCAL(-1), EXIT};
	struct bpfrt_diag diag = {0};
	o.flags = 0;
	err = run(rec, N(rec), &o, &r0, &diag);
	CHECK(err == -E2BIG && diag.insn == 0 && strstr(diag.msg, "call depth"), "recursion: %d %s", err, diag.msg);
}

static void test_callx(void)
{
	/* callx to a subprogram address from lddw BPF_PSEUDO_FUNC, and to a helper id. */
	const struct bpf_insn prog[] = {
		INSN(BPF_LD | BPF_IMM | BPF_DW, 2, BPF_PSEUDO_FUNC, 0, 4), INSN(0, 0, 0, 0, 0),
		INSN(BPF_JMP | BPF_CALL | BPF_X, 2, 0, 0, 0), EXIT, EXIT,
		/* f at 5 */ MOV64_IMM(0, 77), EXIT,
	};
	uint64_t r0 = 0;
	struct bpfrt_run_opts o = {.sz = sizeof(o)};
	int err = run(prog, N(prog), &o, &r0, NULL);
	CHECK(err == 0 && r0 == 77, "callx func: err %d r0 %llu", err, (unsigned long long)r0);
	const struct bpf_insn bad[] = {MOV64_IMM(3, 12345), INSN(BPF_JMP | BPF_CALL | BPF_X, 3, 0, 0, 0), EXIT};
	struct bpfrt_diag diag = {0};
	err = run(bad, N(bad), &o, &r0, &diag);
	CHECK(err == -EFAULT && diag.insn == 1 && strstr(diag.msg, "callx r3 = 0x3039"), "callx bad: %d %s", err, diag.msg);
}

static const struct bpfrt_vm_prog *tail_target;
static const struct bpfrt_vm_prog *resolve_tail(struct bpfrt_run *r, uint64_t map, uint32_t index)
{
	(void)r;
	return map == 7 && index == 1 ? tail_target : NULL;
}

static void test_tail_calls(void)
{
	/* Program A tail-calls index r3 of "map" 7; a miss continues. */
	const struct bpf_insn a[] = {MOV64_IMM(2, 7), MOV64_IMM(3, 0), INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call),
				     MOV64_IMM(3, 1), INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call), MOV64_IMM(0, 1), EXIT};
	const struct bpf_insn b[] = {LDX(BPF_B, 0, 1, 0), EXIT};
	/* A self tail call stops after 33 hops, then falls through. */
	const struct bpf_insn loop[] = {LDX(BPF_DW, 4, 1, 0), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 1), STX(BPF_DW, 1, 4, 0),
					MOV64_IMM(2, 7), MOV64_IMM(3, 1), INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call),
					MOV64_IMM(0, 0), EXIT};
	struct bpfrt_vm_prog *pa, *pb, *pl;
	CHECK(bpfrt_vm_prog_new(rt, a, N(a), NULL, &pa, NULL) == 0, "load a");
	CHECK(bpfrt_vm_prog_new(rt, b, N(b), NULL, &pb, NULL) == 0, "load b");
	CHECK(bpfrt_vm_prog_new(rt, loop, N(loop), NULL, &pl, NULL) == 0, "load loop");
	uint64_t ctx = 9, r0 = 0;
	struct bpfrt_run_opts o = {.sz = sizeof(o), .ctx = &ctx, .ctx_size = 8, .tail_call = resolve_tail};
	tail_target = pb;
	CHECK(bpfrt_vm_run(pa, &o, &r0, NULL) == 0 && r0 == 9, "tail call hit: r0 %llu", (unsigned long long)r0);
	o.tail_call = NULL;
	CHECK(bpfrt_vm_run(pa, &o, &r0, NULL) == 0 && r0 == 1, "no resolver: fall through");
	tail_target = pl;
	o.tail_call = resolve_tail;
	ctx = 0;
	CHECK(bpfrt_vm_run(pl, &o, &r0, NULL) == 0 && ctx == 1 + BPFRT_MAX_TAIL_CALLS,
	      "tail call limit: ran %llu times", (unsigned long long)ctx);
	bpfrt_vm_prog_free(pa);
	bpfrt_vm_prog_free(pb);
	bpfrt_vm_prog_free(pl);
}

static void test_ld_abs(void)
{
	uint8_t pkt[8] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
	const struct bpf_insn prog[] = {MOV64_IMM(6, 2), INSN(BPF_LD | BPF_IND | BPF_H, 0, 6, 0, 1), EXIT};
	const struct bpf_insn word[] = {INSN(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 4), EXIT};
	const struct bpf_insn miss[] = {MOV64_IMM(0, 5), INSN(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 6), MOV64_IMM(0, 9), EXIT};
	uint64_t r0 = 0;
	struct bpfrt_run_opts o = {.sz = sizeof(o), .packet = pkt, .packet_size = sizeof(pkt)};
	CHECK(run(prog, N(prog), &o, &r0, NULL) == 0 && r0 == 0x789a, "ldindh: %llx", (unsigned long long)r0);
	CHECK(run(word, N(word), &o, &r0, NULL) == 0 && r0 == 0x9abcdef0, "ldabsw: %llx", (unsigned long long)r0);
	CHECK(run(miss, N(miss), &o, &r0, NULL) == 0 && r0 == 0, "ldabs out of bounds returns 0: %llx", (unsigned long long)r0);
}

static uint64_t add_helper(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e, struct bpfrt_run *r)
{
	(void)r;
	return a + b + c + d + e + *(uint64_t *)bpfrt_run_user(r);
}

static void test_helpers_and_budget(void)
{
	uint64_t extra = 1000;
	CHECK(bpfrt_register_helper(rt, 200, "add5", add_helper) == 0, "register");
	CHECK(bpfrt_register_helper(rt, BPFRT_MAX_HELPERS, "x", add_helper) == -EINVAL, "id range");
	CHECK(!strcmp(bpfrt_helper_name(rt, 200), "add5"), "name");
	const struct bpf_insn prog[] = {MOV64_IMM(1, 1), MOV64_IMM(2, 2), MOV64_IMM(3, 3), MOV64_IMM(4, 4),
					MOV64_IMM(5, 5), INSN(BPF_JMP | BPF_CALL, 0, 0, 0, 200), EXIT};
	uint64_t r0 = 0;
	struct bpfrt_run_opts o = {.sz = sizeof(o), .user = &extra};
	CHECK(run(prog, N(prog), &o, &r0, NULL) == 0 && r0 == 1015, "helper: %llu", (unsigned long long)r0);
	const struct bpf_insn spin[] = {INSN(BPF_JMP | BPF_JA, 0, 0, -1, 0)};
	struct bpfrt_diag diag = {0};
	o.flags = BPFRT_RUN_CHECKED;
	o.insn_limit = 1000;
	CHECK(run(spin, 1, &o, &r0, &diag) == -ELOOP && strstr(diag.msg, "limit of 1000"), "budget: %s", diag.msg);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	test_checked_stack();
	test_checked_ctx();
	test_checked_packet_and_regions();
	test_checked_atomic();
	test_calls();
	test_callx();
	test_tail_calls();
	test_ld_abs();
	test_helpers_and_budget();
	bpfrt_free(rt);
	return CHECK_DONE();
}
