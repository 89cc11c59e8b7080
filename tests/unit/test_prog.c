/* test_prog.c — BPF_PROG_LOAD and BPF_PROG_TEST_RUN through bpfrt_bpf():
 * map references resolved and held, map helpers from programs, XDP and
 * socket-filter contexts with real packet pointers, data_out, errno values. */
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

static int prog_load(uint32_t type, const struct bpf_insn *insns, uint32_t cnt, char *log, uint32_t log_size)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = type, a.insns = (uintptr_t)insns, a.insn_cnt = cnt, a.license = (uintptr_t)"GPL";
	a.log_buf = (uintptr_t)log, a.log_size = log_size, a.log_level = log ? 1 : 0;
	strcpy(a.prog_name, "test");
	return bpfrt_bpf(rt, BPF_PROG_LOAD, &a, sizeof(a));
}

static int test_run(int fd, void *data, uint32_t size, void *out, uint32_t *out_size, uint32_t repeat,
		    uint32_t *retval)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)fd, a.test.data_in = (uintptr_t)data, a.test.data_size_in = size;
	a.test.data_out = (uintptr_t)out, a.test.data_size_out = out_size ? *out_size : 0, a.test.repeat = repeat;
	int err = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
	*retval = a.test.retval;
	if (out_size)
		*out_size = a.test.data_size_out;
	return err;
}

static int map_create(uint32_t type, uint32_t ks, uint32_t vs, uint32_t n)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type, a.key_size = ks, a.value_size = vs, a.max_entries = n;
	return bpfrt_bpf(rt, BPF_MAP_CREATE, &a, sizeof(a));
}

static int lookup(int fd, const void *key, void *value)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.value = (uintptr_t)value;
	return bpfrt_bpf(rt, BPF_MAP_LOOKUP_ELEM, &a, sizeof(a));
}

/* XDP: count packets in array[0] by their first byte, swap the two MAC
 * addresses' first bytes, return XDP_TX (3). */
static void test_xdp_counter(void)
{
	int map = map_create(BPF_MAP_TYPE_ARRAY, 4, 8, 4);
	CHECK(map >= 0, "map create %d", map);
	const struct bpf_insn prog[] = {
		MOV64_REG(6, 1),
		INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 6, 0, 0),   /* r2 = ctx->data */
		INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 6, 4, 0),   /* r3 = ctx->data_end */
		MOV64_REG(4, 2), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, 14),
		INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 16, 0),  /* if data + 14 > end goto drop */
		INSN(BPF_LDX | BPF_MEM | BPF_B, 7, 2, 0, 0),   /* r7 = data[0] */
		INSN(BPF_LDX | BPF_MEM | BPF_B, 8, 2, 6, 0),   /* r8 = data[6] */
		INSN(BPF_STX | BPF_MEM | BPF_B, 2, 8, 0, 0),
		INSN(BPF_STX | BPF_MEM | BPF_B, 2, 7, 6, 0),
		INSN(BPF_ALU64 | BPF_AND | BPF_K, 7, 0, 0, 3),
		INSN(BPF_STX | BPF_MEM | BPF_W, 10, 7, -4, 0), /* key = data[0] & 3 */
		LD_MAP(1, map),
		MOV64_REG(2, 10), INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -4),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0),
		MOV64_IMM(1, 1),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, 0, 1, 0, BPF_ADD),
		MOV64_IMM(0, 3), EXIT,
		MOV64_IMM(0, 1), EXIT, /* drop */
	};
	char log[256] = "";
	int fd = prog_load(BPF_PROG_TYPE_XDP, prog, N(prog), log, sizeof(log));
	CHECK(fd >= 0, "load: %d %s", fd, log);
	uint8_t pkt[64] = {0x06, 1, 2, 3, 4, 5, 0xaa}, out[64];
	uint32_t retval = 0, out_size = sizeof(out);
	CHECK(test_run(fd, pkt, sizeof(pkt), out, &out_size, 1, &retval) == 0, "test run");
	CHECK(retval == 3, "retval %u", retval);
	CHECK(out_size == 64 && out[0] == 0xaa && out[6] == 0x06, "data_out %zu %x %x", (size_t)out_size, out[0], out[6]);
	CHECK(test_run(fd, pkt, sizeof(pkt), NULL, NULL, 9, &retval) == 0, "test run repeat 9");
	uint32_t k = 2;
	uint64_t count = 0;
	CHECK(lookup(map, &k, &count) == 0 && count == 10, "counter %llu", (unsigned long long)count);
	/* The program holds the map: closing the map fd keeps it alive. */
	bpfrt_close(rt, map);
	CHECK(test_run(fd, pkt, sizeof(pkt), NULL, NULL, 1, &retval) == 0 && retval == 3, "after map close");
	/* Too short for an Ethernet header: EINVAL, as the kernel. */
	CHECK(test_run(fd, pkt, 10, NULL, NULL, 1, &retval) == -EINVAL, "short packet");
	/* data_out too small: ENOSPC with the full size reported. */
	out_size = 8;
	CHECK(test_run(fd, pkt, sizeof(pkt), out, &out_size, 1, &retval) == -ENOSPC && out_size == 64, "short out");
	bpfrt_close(rt, fd);
}

/* Socket filter: LD_ABS reads from the network header. */
static void test_socket_filter(void)
{
	const struct bpf_insn prog[] = {MOV64_REG(6, 1), INSN(BPF_LD | BPF_ABS | BPF_B, 0, 0, 0, 9), EXIT};
	int fd = prog_load(BPF_PROG_TYPE_SOCKET_FILTER, prog, N(prog), NULL, 0);
	CHECK(fd >= 0, "load socket filter %d", fd);
	uint8_t pkt[60] = {0};
	pkt[12] = 0x08, pkt[14 + 9] = 17; /* IPv4, protocol UDP */
	uint32_t retval = 0;
	CHECK(test_run(fd, pkt, sizeof(pkt), NULL, NULL, 1, &retval) == 0 && retval == 17, "ld_abs ip proto: %u", retval);
	bpfrt_close(rt, fd);
}

static void test_load_errors(void)
{
	char log[256] = "";
	const struct bpf_insn bad_map[] = {LD_MAP(1, 999), MOV64_IMM(0, 0), EXIT};
	CHECK(prog_load(BPF_PROG_TYPE_XDP, bad_map, N(bad_map), log, sizeof(log)) == -EBADF, "bad map fd");
	CHECK(strstr(log, "fd 999"), "log: %s", log);
	const struct bpf_insn bad[] = {INSN(0xff, 0, 0, 0, 0), EXIT};
	CHECK(prog_load(BPF_PROG_TYPE_XDP, bad, N(bad), log, sizeof(log)) == -EINVAL, "bad opcode");
	CHECK(strstr(log, "insn 0: unknown opcode 0xff"), "log: %s", log);
	const struct bpf_insn ok[] = {MOV64_IMM(0, 0), EXIT};
	CHECK(prog_load(9999, ok, N(ok), NULL, 0) == -EINVAL, "bad type");
	CHECK(prog_load(BPF_PROG_TYPE_XDP, ok, 0, NULL, 0) == -EINVAL, "no insns");
	CHECK(prog_load(BPF_PROG_TYPE_XDP, ok, (1u << 20) + 1, NULL, 0) == -E2BIG, "too many insns");
}

static int map_update(int fd, const void *key, const void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd, a.key = (uintptr_t)key, a.value = (uintptr_t)value, a.flags = flags;
	return bpfrt_bpf(rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

/* bpf_tail_call through a PROG_ARRAY: a hit replaces the program, a miss
 * falls through; the array's errno values. */
static void test_tail_call(void)
{
	int pa = map_create(BPF_MAP_TYPE_PROG_ARRAY, 4, 4, 2);
	CHECK(pa >= 0, "prog array %d", pa);
	const struct bpf_insn target[] = {MOV64_IMM(0, 7), EXIT};
	const struct bpf_insn caller[] = {
		LD_MAP(2, pa), MOV64_IMM(3, 0), INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_tail_call),
		MOV64_IMM(0, 1), EXIT,
	};
	int t = prog_load(BPF_PROG_TYPE_XDP, target, N(target), NULL, 0);
	int c = prog_load(BPF_PROG_TYPE_XDP, caller, N(caller), NULL, 0);
	int other = prog_load(BPF_PROG_TYPE_SOCKET_FILTER, target, N(target), NULL, 0);
	CHECK(t >= 0 && c >= 0 && other >= 0, "loads");
	uint8_t pkt[64] = {0};
	uint32_t retval = 0, k = 0, id = 0;
	CHECK(test_run(c, pkt, sizeof(pkt), NULL, NULL, 1, &retval) == 0 && retval == 1, "miss: %u", retval);
	CHECK(lookup(pa, &k, &id) == -ENOENT, "empty slot");
	CHECK(map_update(pa, &k, &t, BPF_ANY) == 0, "install");
	CHECK(lookup(pa, &k, &id) == 0 && id > 0, "slot holds the program's id %u", id);
	CHECK(test_run(c, pkt, sizeof(pkt), NULL, NULL, 1, &retval) == 0 && retval == 7, "hit: %u", retval);
	k = 1;
	CHECK(map_update(pa, &k, &other, BPF_ANY) == -EINVAL, "mixed program types");
	CHECK(map_update(pa, &k, &t, BPF_NOEXIST) == -EINVAL, "flags other than BPF_ANY");
	k = 2;
	CHECK(map_update(pa, &k, &t, BPF_ANY) == -E2BIG, "index out of range");
	k = 1;
	int bad = 99;
	CHECK(map_update(pa, &k, &bad, BPF_ANY) == -EBADF, "bad fd");
	bpfrt_close(rt, t);
	bpfrt_close(rt, c);
	bpfrt_close(rt, other);
	bpfrt_close(rt, pa);
}

int main(void)
{
	rt = bpfrt_new(NULL);
	test_xdp_counter();
	test_socket_filter();
	test_load_errors();
	test_tail_call();
	bpfrt_free(rt);
	return CHECK_DONE();
}
