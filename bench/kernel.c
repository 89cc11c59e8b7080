/* kernel.c — the host kernel as a reference point: load the bench programs
 * as XDP programs (bpf(BPF_PROG_LOAD)) and time them with
 * BPF_PROG_TEST_RUN's repeat, whose `duration` is the kernel's own average
 * ns per run (JIT-compiled when net.core.bpf_jit_enable is on). */
#include "bench.h"

#include <errno.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	long r = syscall(__NR_bpf, cmd, attr, sizeof(*attr));
	return r < 0 ? -errno : (int)r;
}

int kernel_load(const char *name, const void *code, size_t len, char *log, size_t log_size)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_XDP;
	attr.insns = (uint64_t)(uintptr_t)code;
	attr.insn_cnt = (uint32_t)(len / sizeof(struct bpf_insn));
	attr.license = (uint64_t)(uintptr_t)"GPL";
	strncpy(attr.prog_name, name, sizeof(attr.prog_name) - 1);
	if (log && log_size) {
		log[0] = 0;
		attr.log_buf = (uint64_t)(uintptr_t)log;
		attr.log_size = (uint32_t)log_size;
		attr.log_level = 1;
	}
	int fd = sys_bpf(BPF_PROG_LOAD, &attr);
	if (fd == -ENOSPC && log) {
		/* The log did not fit: retry without it, keeping what we have. */
		attr.log_buf = 0, attr.log_size = 0, attr.log_level = 0;
		fd = sys_bpf(BPF_PROG_LOAD, &attr);
	}
	return fd;
}

int kernel_run(int fd, const void *pkt, size_t pkt_len, uint32_t repeat, double *ns,
	       uint32_t *retval)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.test.prog_fd = (uint32_t)fd;
	attr.test.data_in = (uint64_t)(uintptr_t)pkt;
	attr.test.data_size_in = (uint32_t)pkt_len;
	attr.test.repeat = repeat;
	int err = sys_bpf(BPF_PROG_TEST_RUN, &attr);
	if (err < 0)
		return err;
	*ns = attr.test.duration;
	*retval = attr.test.retval;
	return 0;
}

int kernel_map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t entries)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = value_size;
	attr.max_entries = entries;
	return sys_bpf(BPF_MAP_CREATE, &attr);
}

int kernel_map_update(int fd, const void *key, const void *value)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_fd = (uint32_t)fd;
	attr.key = (uint64_t)(uintptr_t)key;
	attr.value = (uint64_t)(uintptr_t)value;
	return sys_bpf(BPF_MAP_UPDATE_ELEM, &attr);
}
