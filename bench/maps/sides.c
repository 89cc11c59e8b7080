/* sides.c — the map benchmark's two implementations of bpf(2): bpfrt_bpf()
 * on a runtime, and the host kernel's syscall.  The wrappers build the same
 * attr for both, sized as libbpf sizes it (up to the command's last field).
 */
#include "map_bench.h"

#include <bpfrt/bpfrt.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define ATTR_END(field) \
	(unsigned int)(offsetof(union bpf_attr, field) + sizeof(((union bpf_attr *)0)->field))

int side_bpf(const struct side *s, int cmd, union bpf_attr *attr, unsigned int size)
{
	if (s->rt)
		return bpfrt_bpf(s->rt, cmd, attr, size);
	long r = syscall(__NR_bpf, cmd, attr, size);
	return r < 0 ? -errno : (int)r;
}

int side_close(const struct side *s, int fd)
{
	if (s->rt)
		return bpfrt_close(s->rt, fd);
	return close(fd) ? -errno : 0;
}

int side_map_create(const struct side *s, uint32_t type, uint32_t key_size, uint32_t value_size,
		    uint32_t max_entries, uint32_t flags, const char *name)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_type = type;
	a.key_size = key_size;
	a.value_size = value_size;
	a.max_entries = max_entries;
	a.map_flags = flags;
	snprintf(a.map_name, sizeof(a.map_name), "%s", name);
	return side_bpf(s, BPF_MAP_CREATE, &a, ATTR_END(map_extra));
}

int side_lookup(const struct side *s, int fd, const void *key, void *value)
{
	union bpf_attr a;
	memset(&a, 0, ATTR_END(flags));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	return side_bpf(s, BPF_MAP_LOOKUP_ELEM, &a, ATTR_END(flags));
}

int side_update(const struct side *s, int fd, const void *key, const void *value)
{
	union bpf_attr a;
	memset(&a, 0, ATTR_END(flags));
	a.map_fd = (uint32_t)fd;
	a.key = (uint64_t)(uintptr_t)key;
	a.value = (uint64_t)(uintptr_t)value;
	a.flags = BPF_ANY;
	return side_bpf(s, BPF_MAP_UPDATE_ELEM, &a, ATTR_END(flags));
}

int side_update_batch(const struct side *s, int fd, const void *keys, uint32_t key_size,
		      const void *values, uint32_t value_size, uint32_t count)
{
	int err;
	const uint32_t chunk = 1u << 16;
	for (uint32_t done = 0; done < count;) {
		uint32_t n = count - done < chunk ? count - done : chunk;
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.batch.map_fd = (uint32_t)fd;
		a.batch.keys = (uint64_t)(uintptr_t)((const uint8_t *)keys + (size_t)done * key_size);
		a.batch.values =
			(uint64_t)(uintptr_t)((const uint8_t *)values + (size_t)done * value_size);
		a.batch.count = n;
		err = side_bpf(s, BPF_MAP_UPDATE_BATCH, &a, ATTR_END(batch));
		if (err < 0)
			return err;
		done += n;
	}
	return 0;
}

int side_prog_load(const struct side *s, const char *name, const struct bpf_insn *insns,
		   uint32_t cnt)
{
	static char log[1 << 20];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	a.insns = (uint64_t)(uintptr_t)insns;
	a.insn_cnt = cnt;
	a.license = (uint64_t)(uintptr_t)"GPL";
	snprintf(a.prog_name, sizeof(a.prog_name), "%s", name);
	int fd = side_bpf(s, BPF_PROG_LOAD, &a, ATTR_END(core_relo_rec_size));
	if (fd >= 0)
		return fd;
	/* Again with the log, to say why. */
	log[0] = 0;
	a.log_buf = (uint64_t)(uintptr_t)log;
	a.log_size = sizeof(log);
	a.log_level = 1;
	side_bpf(s, BPF_PROG_LOAD, &a, ATTR_END(core_relo_rec_size));
	size_t len = strlen(log);
	fprintf(stderr, "%s: %s: PROG_LOAD: %s\n%s\n", s->name, name, strerror(-fd),
		len > 4000 ? log + len - 4000 : log);
	return fd;
}

int side_test_run(const struct side *s, int prog_fd, const void *pkt, uint32_t pkt_len,
		  uint32_t repeat, uint32_t *retval)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)prog_fd;
	a.test.data_in = (uint64_t)(uintptr_t)pkt;
	a.test.data_size_in = pkt_len;
	a.test.repeat = repeat;
	int err = side_bpf(s, BPF_PROG_TEST_RUN, &a, ATTR_END(test.batch_size));
	if (err < 0)
		return err;
	*retval = a.test.retval;
	return 0;
}
