/* test_map_in_map.c — ARRAY_OF_MAPS and HASH_OF_MAPS: creation with an
 * inner-map template, storing maps by fd and reading back ids, the
 * template rules (the kernel's map_meta_equal, Linux 6.18), and a program that looks up an inner map and then a
 * value inside it. */
#include "bpfrt/bpfrt.h"
#include "btf_build.h"
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

/* Store a fresh inner map made with (type, ks, vs, n, flags) into outer:
 * the UPDATE_ELEM result, or the create's error. */
static int store(int outer, uint32_t type, uint32_t ks, uint32_t vs, uint32_t n, uint32_t flags)
{
	int in = create(type, ks, vs, n, flags, 0);
	if (in < 0)
		return 1000 + in; /* never a valid result: the create failed */
	uint32_t k = 0;
	int ret = elem(BPF_MAP_UPDATE_ELEM, outer, &k, &in, BPF_ANY);
	bpfrt_close(rt, in);
	return ret;
}

/* The template rules, on both outer types: which inner maps a template of
 * each type accepts. */
static void test_template_rules(uint32_t otype)
{
	const uint32_t RO = BPF_F_RDONLY, IM = BPF_F_INNER_MAP;
	struct {
		uint32_t type, ks, vs;
	} same_n[] = {
		/* max_entries compared: array templates without BPF_F_INNER_MAP */
		{BPF_MAP_TYPE_ARRAY, 4, 8},
		{BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8},
	};
	for (uint32_t i = 0; i < N(same_n); i++) {
		uint32_t t = same_n[i].type;
		int tmpl = create(t, 4, 8, 4, 0, 0);
		int outer = create(otype, 4, 4, 4, 0, tmpl);
		CHECK(outer >= 0, "outer of type %u template %u", otype, t);
		CHECK(store(outer, t, 4, 8, 4, 0) == 0, "template %u: same shape", t);
		CHECK(store(outer, t, 4, 8, 8, 0) == -EINVAL, "template %u: more entries", t);
		CHECK(store(outer, t, 4, 8, 2, 0) == -EINVAL, "template %u: fewer entries", t);
		CHECK(store(outer, t, 4, 16, 4, 0) == -EINVAL, "template %u: value size", t);
		CHECK(store(outer, t, 4, 8, 4, RO) == 0, "template %u: BPF_F_RDONLY is the fd's, not compared", t);
		CHECK(store(outer, t, 4, 8, 4, BPF_F_RDONLY_PROG) == -EINVAL, "template %u: flags compared", t);
		if (t == BPF_MAP_TYPE_ARRAY)
			CHECK(store(outer, t, 4, 8, 4, IM) == -EINVAL, "template %u: BPF_F_INNER_MAP is a flag too", t);
		CHECK(store(outer, t == BPF_MAP_TYPE_ARRAY ? BPF_MAP_TYPE_PERCPU_ARRAY : BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0) ==
			      -EINVAL, "template %u: another type", t);
		bpfrt_close(rt, outer);
		bpfrt_close(rt, tmpl);
	}
	/* BPF_F_INNER_MAP on an ARRAY template: any max_entries; PERCPU_ARRAY
	 * can't have the flag. */
	int tmpl = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, IM, 0);
	int outer = create(otype, 4, 4, 4, 0, tmpl);
	CHECK(outer >= 0, "outer with an INNER_MAP template");
	CHECK(store(outer, BPF_MAP_TYPE_ARRAY, 4, 8, 64, IM) == 0, "INNER_MAP: more entries");
	CHECK(store(outer, BPF_MAP_TYPE_ARRAY, 4, 8, 1, IM) == 0, "INNER_MAP: fewer entries");
	CHECK(store(outer, BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0) == -EINVAL, "INNER_MAP: inner without the flag");
	CHECK(store(outer, BPF_MAP_TYPE_ARRAY, 4, 4, 64, IM) == -EINVAL, "INNER_MAP: value size still compared");
	bpfrt_close(rt, outer);
	bpfrt_close(rt, tmpl);
	CHECK(create(BPF_MAP_TYPE_PERCPU_ARRAY, 4, 8, 4, IM, 0) == -EINVAL, "PERCPU_ARRAY takes no INNER_MAP");
	/* Every other type ignores max_entries (bpf_map_meta_equal). */
	struct {
		uint32_t type, ks, vs, n, flags, n2;
	} any_n[] = {
		{BPF_MAP_TYPE_HASH, 4, 8, 4, 0, 64},
		{BPF_MAP_TYPE_HASH, 4, 8, 4, BPF_F_NO_PREALLOC, 64},
		{BPF_MAP_TYPE_PERCPU_HASH, 4, 8, 4, 0, 64},
		{BPF_MAP_TYPE_LRU_HASH, 4, 8, 8, 0, 64},
		{BPF_MAP_TYPE_LRU_PERCPU_HASH, 4, 8, 8, 0, 64},
		{BPF_MAP_TYPE_LPM_TRIE, 8, 8, 4, BPF_F_NO_PREALLOC, 64},
		{BPF_MAP_TYPE_QUEUE, 0, 8, 4, 0, 64},
		{BPF_MAP_TYPE_STACK, 0, 8, 4, 0, 64},
		{BPF_MAP_TYPE_BLOOM_FILTER, 0, 8, 4, 0, 64},
		{BPF_MAP_TYPE_PERF_EVENT_ARRAY, 4, 4, 4, 0, 64},
		{BPF_MAP_TYPE_RINGBUF, 0, 0, 4096, 0, 8192},
	};
	for (uint32_t i = 0; i < N(any_n); i++) {
		uint32_t t = any_n[i].type, ks = any_n[i].ks, vs = any_n[i].vs, n = any_n[i].n, fl = any_n[i].flags;
		tmpl = create(t, ks, vs, n, fl, 0);
		CHECK(tmpl >= 0, "template of type %u: %d", t, tmpl);
		outer = create(otype, 4, 4, 4, 0, tmpl);
		CHECK(outer >= 0, "outer with a template of type %u: %d", t, outer);
		CHECK(store(outer, t, ks, vs, n, fl) == 0, "type %u: same shape", t);
		CHECK(store(outer, t, ks, vs, any_n[i].n2, fl) == 0, "type %u: max_entries ignored", t);
		if (t != BPF_MAP_TYPE_RINGBUF) /* which can't be made RDONLY */
			CHECK(store(outer, t, ks, vs, n, fl | RO) == 0, "type %u: BPF_F_RDONLY ignored", t);
		if (vs && t != BPF_MAP_TYPE_PERF_EVENT_ARRAY) /* whose values are 4 bytes */
			CHECK(store(outer, t, ks, vs * 2, n, fl) == -EINVAL, "type %u: value size", t);
		if (t == BPF_MAP_TYPE_HASH)
			CHECK(store(outer, t, 8, vs, n, fl) == -EINVAL && store(outer, t, ks, vs, n, fl ^ BPF_F_NO_PREALLOC) ==
				      -EINVAL, "type %u: key size and flags", t);
		CHECK(store(outer, BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0) == -EINVAL, "type %u: an array", t);
		bpfrt_close(rt, outer);
		bpfrt_close(rt, tmpl);
	}
	/* Templates that can't be: a prog array (no map_meta_equal), a map of
	 * maps (one level only). */
	tmpl = create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 4, 0, 0);
	CHECK(create(otype, 4, 4, 4, 0, tmpl) == -524 /* ENOTSUPP */, "prog array template");
	int leaf = create(BPF_MAP_TYPE_ARRAY, 4, 8, 4, 0, 0);
	for (uint32_t t = BPF_MAP_TYPE_ARRAY_OF_MAPS; t <= BPF_MAP_TYPE_HASH_OF_MAPS; t++) {
		int mim = create(t, 4, 4, 4, 0, leaf);
		CHECK(mim >= 0 && create(otype, 4, 4, 4, 0, mim) == -EINVAL, "map of maps %u as template", t);
		bpfrt_close(rt, mim);
	}
	bpfrt_close(rt, leaf);
	bpfrt_close(rt, tmpl);
}

/* BTF special fields: a bpf_spin_lock in the value must be at the same
 * offset (or absent in both); BTF without one equals no BTF. */
static void test_template_btf(uint32_t otype)
{
	struct btf_build b;
	bb_init(&b);
	uint32_t u32 = bb_int(&b, "unsigned int", 4, false), key = bb_int(&b, "int", 4, true);
	uint32_t lock = bb_struct(&b, "bpf_spin_lock", 1, 4);
	bb_member(&b, "val", u32, 0);
	uint32_t plain = bb_struct(&b, "plain", 2, 8);
	bb_member(&b, "a", u32, 0);
	bb_member(&b, "b", u32, 32);
	uint32_t first = bb_struct(&b, "lock_first", 2, 8);
	bb_member(&b, "l", lock, 0);
	bb_member(&b, "x", u32, 32);
	uint32_t second = bb_struct(&b, "lock_second", 2, 8);
	bb_member(&b, "x", u32, 0);
	bb_member(&b, "l", lock, 32);
	uint32_t size;
	const void *raw = bb_raw(&b, &size);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.btf = (uintptr_t)raw, a.btf_size = size;
	int btf = bpfrt_bpf(rt, BPF_BTF_LOAD, &a, sizeof(a));
	CHECK(btf >= 0, "BTF load %d", btf);
	/* value: 0 no BTF, else a type id */
	const uint32_t values[] = {0, plain, first, second};
	int fd[2][4];
	for (uint32_t t = 0; t < 2; t++) {
		for (uint32_t v = 0; v < 4; v++) {
			memset(&a, 0, sizeof(a));
			a.map_type = t ? BPF_MAP_TYPE_HASH : BPF_MAP_TYPE_ARRAY, a.key_size = 4, a.value_size = 8;
			a.max_entries = 4;
			if (values[v])
				a.btf_fd = (uint32_t)btf, a.btf_key_type_id = key, a.btf_value_type_id = values[v];
			fd[t][v] = bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
			CHECK(fd[t][v] >= 0, "map %u/%u: %d", t, v, fd[t][v]);
			if (v >= 2) {
				a.map_flags = BPF_F_RDONLY_PROG;
				CHECK(bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a)) == -EACCES, "lock and RDONLY_PROG");
				a.map_flags = BPF_F_WRONLY_PROG;
				CHECK(bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a)) == -EACCES, "lock and WRONLY_PROG");
			}
		}
	}
	for (uint32_t t = 0; t < 2; t++) {
		for (uint32_t tv = 0; tv < 4; tv++) {
			int outer = create(otype, 4, 4, 4, 0, fd[t][tv]);
			CHECK(outer >= 0, "outer, template with value %u: %d", tv, outer);
			for (uint32_t iv = 0; iv < 4; iv++) {
				uint32_t k = 0;
				/* no BTF and BTF without a lock are the same record: none */
				bool ok = tv == iv || (tv < 2 && iv < 2);
				CHECK(elem(BPF_MAP_UPDATE_ELEM, outer, &k, &fd[t][iv], BPF_ANY) == (ok ? 0 : -EINVAL),
				      "type %u: template value %u, inner value %u", t, tv, iv);
			}
			bpfrt_close(rt, outer);
		}
	}
	for (uint32_t t = 0; t < 2; t++)
		for (uint32_t v = 0; v < 4; v++)
			bpfrt_close(rt, fd[t][v]);
	bpfrt_close(rt, btf);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	test_outer(BPF_MAP_TYPE_ARRAY_OF_MAPS);
	test_outer(BPF_MAP_TYPE_HASH_OF_MAPS);
	for (uint32_t t = BPF_MAP_TYPE_ARRAY_OF_MAPS; t <= BPF_MAP_TYPE_HASH_OF_MAPS; t++) {
		test_template_rules(t);
		test_template_btf(t);
	}
	bpfrt_free(rt);
	return CHECK_DONE();
}
