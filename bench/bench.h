/* bench.h — shared between the benchmark runner (bench.c) and its kernel
 * side (kernel.c, the bpf() syscall wrappers). */
#ifndef BPFRT_BENCH_H
#define BPFRT_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Load code (raw eBPF instructions) as an XDP program into the host
 * kernel.  Returns an fd, or a negative errno with the verifier's log
 * (possibly truncated) in log. */
int kernel_load(const char *name, const void *code, size_t len, char *log, size_t log_size);
/* BPF_PROG_TEST_RUN with repeat on pkt: average ns per run in *ns and the
 * return value in *retval.  0 or a negative errno. */
int kernel_run(int fd, const void *pkt, size_t pkt_len, uint32_t repeat, double *ns,
	       uint32_t *retval);

/* BPF_MAP_CREATE / BPF_MAP_UPDATE_ELEM (flags 0) in the host kernel: an fd
 * or 0, else a negative errno. */
int kernel_map_create(uint32_t type, uint32_t key_size, uint32_t value_size, uint32_t entries);
int kernel_map_update(int fd, const void *key, const void *value);

#endif
