/* test_map_in_map.c — ARRAY_OF_MAPS and HASH_OF_MAPS: creation with an
 * inner-map template, storing maps by fd and reading back ids, the
 * template rule, and a program that looks up an inner map and then a
 * value inside it. */
#include "bpfrt/bpfrt.h"
#include "check.h"

#include <errno.h>
#include <string.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
#define MOV64_IMM(d, i) INSN(BPF_ALU64 | BPF_MOV | BPF_K, d, 0, 0, i)
#define MOV64_REG(d, s) INSN(BPF_ALU64 | BPF_MOV | BPF_X, d, s, 0, 0)
#define LD_MAP(d, fd) INSN(BPF_LD | BPF_IMM | BPF_DW, d, BPF_PSEUDO_MAP_FD, 0, fd), INSN(0, 0, 0, 0, 0)
#define N(a) (uint32_t)(sizeof(a) / sizeof((a)[0]))

static struct bpfrt *rt;

static int create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags, int inner)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n, a.map_flags = flags;
	a.inner_map_fd = (uint32_t)inner;
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

static int elem(int cmd, int fd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.value = (uintptr_t)value, a.flags = flags;
	return bpfrt_bpf(rt, cmd, &a, sizeof(a));
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info;
	union bpf_attr a;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd, a.info.info = (uintptr_t)&info, a.info.info_len = sizeof(info);
	bpfrt_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a, sizeof(a));
	return info.id;
}

/* r0 = inner(outer[ctx key])[0] or -1 when a lookup misses. */
static int load_reader(int outer)
{
	const struct bpf_insn prog[] = {
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, 0, 0), INSN(BPF_STX | BPF_MEM | BPF_W, 10, 2, -4, 0),
		LD_MAP(1, outer), MOV64_REG(2, 10), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 8, 0),
		MOV64_REG(1, 0), INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -8, 0),
		MOV64_REG(2, 10), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0),
		INSN(BPF_LDX | BPF_MEM | BPF_DW, 0, 0, 0, 0), EXIT,
		MOV64_IMM(0, -1), EXIT,
	};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SYSCALL, a.insns = (uintptr_t)prog, a.insn_cnt = N(prog);
	a.license = (uintptr_t)"GPL";
	return bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}

static int32_t run(int prog, uint32_t key)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog, a.test.ctx_in = (uintptr_t)&key, a.test.ctx_size_in = 4;
	if (bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a)))
		return -1000;
	return (int32_t)a.test.retval;
}

static void test_outer(uint32_t type)
{
	int tmpl = create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 0);
	int inner = create(BPF_MAP_TYPE_ARRAY, 4, 8, 1, 0, 0);
	int other = create(BPF_MAP_TYPE_ARRAY, 4, 8, 2, 0, 0);
	CHECK(create(type, 4, 8, 4, 0, tmpl) == -EINVAL, "value size must be 4");
	CHECK(create(type, 4, 4, 4, 0, 99) == -EBADF, "bad inner fd");
	int outer = create(type, 4, 4, 4, 0, tmpl);
	CHECK(outer >= 0, "create outer %d", outer);
	CHECK(create(type, 4, 4, 4, 0, outer) == -EINVAL, "map-in-map as inner");
	uint32_t k = 0, v = 0;
	uint64_t val = 1234;
	CHECK(elem(BPF_MAP_UPDATE_ELEM, inner, &k, &val, 0) == 0, "fill inner");
	k = 2;
	CHECK(elem(BPF_MAP_UPDATE_ELEM, outer, &k, &inner, BPF_ANY) == 0, "store inner");
	CHECK(elem(BPF_MAP_LOOKUP_ELEM, outer, &k, &v, 0) == 0 && v == map_id(inner), "lookup gives the id: %u", v);
	CHECK(elem(BPF_MAP_UPDATE_ELEM, outer, &k, &other, BPF_ANY) == -EINVAL, "template mismatch");
	int bad = 77;
	CHECK(elem(BPF_MAP_UPDATE_ELEM, outer, &k, &bad, BPF_ANY) == -EBADF, "bad fd value");
	int prog = load_reader(outer);
	CHECK(prog >= 0, "load");
	CHECK(run(prog, 2) == 1234, "program reads through the inner map");
	CHECK(run(prog, 1) == -1, "empty slot");
	/* The outer map holds the inner one: closing its fd keeps it usable. */
	bpfrt_close(rt, inner);
	CHECK(run(prog, 2) == 1234, "inner alive through the outer map");
	CHECK(elem(BPF_MAP_DELETE_ELEM, outer, &k, NULL, 0) == 0, "delete");
	CHECK(elem(BPF_MAP_DELETE_ELEM, outer, &k, NULL, 0) == -ENOENT, "delete again");
	CHECK(run(prog, 2) == -1, "deleted");
	bpfrt_close(rt, prog);
	bpfrt_close(rt, outer);
	bpfrt_close(rt, other);
	bpfrt_close(rt, tmpl);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	test_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS);
	test_outer(BPF_MAP_TYPE_HASH_OF_MAPS);
	bpfrt_free(rt);
	return CHECK_DONE();
}
