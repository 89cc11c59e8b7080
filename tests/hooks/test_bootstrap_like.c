/* test_bootstrap_like.c — "programs written for the kernel load unchanged"
 * (issue 11 item 6): bootstrap_like.bpf.c, compiled by clang-19 against a
 * vmlinux.h dumped from the host kernel's BTF, loads in bpfrt with every
 * program (tracepoints, kprobe/kretprobe, ksyscall, uprobes, tc, socket
 * filter); then its exec tracepoint, test-run in this process, reports this
 * process's pid and its parent's (CO-RE read of task->real_parent->tgid
 * with vmlinux.h's layout relocated to bpfrt's task_struct).
 * Usage: test_bootstrap_like OBJ.  Skips (77) when OBJ was not built (no
 * clang-19, bpftool or /sys/kernel/btf/vmlinux).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"

struct event {
	int pid, ppid;
	unsigned exit_code;
	unsigned long long stamp_ns;
	char comm[16];
	long nstack;
	unsigned long long stack[8];
};

static int got_pid, got_ppid, records;

static int on_record(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size >= sizeof(struct event)) {
		const struct event *e = data;
		got_pid = e->pid;
		got_ppid = e->ppid;
	}
	records++;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: test_bootstrap_like OBJ\n");
		return 2;
	}
	if (access(argv[1], R_OK)) {
		printf("SKIP: %s not built (needs clang-19, bpftool and /sys/kernel/btf/vmlinux)\n", argv[1]);
		return 77;
	}
	struct bpfrt *rt = bpfrt_new(NULL);
	struct bpfrt_diag diag;
	struct bpfrt_object *obj = bpfrt_object_open_file(rt, argv[1], NULL, &diag);
	if (!obj) {
		fprintf(stderr, "FAIL: open: %s\n", diag.msg);
		return 1;
	}
	if (bpfrt_object_load(obj)) {
		fprintf(stderr, "FAIL: load: %s\n", bpfrt_object_error(obj));
		return 1;
	}
	static const char *const want[] = {"handle_exec", "handle_exit", "do_unlinkat", "do_unlinkat_exit", "entry_kill",
					   "uprobe_add",  "uretprobe_add", "uprobe_stack", "tc_ingress", "socket_count"};
	int failures = 0;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct bpfrt_program *p = bpfrt_object_find_program_by_name(obj, want[i]);
		if (!p || bpfrt_program_fd(p) < 0) {
			fprintf(stderr, "FAIL: program %s not loaded\n", want[i]);
			failures++;
		}
	}
	/* the exec tracepoint, run here: its record is about this process */
	int rb_fd = bpfrt_object_map_fd(bpfrt_object_find_map_by_name(obj, "rb"));
	struct bpfrt_ringbuf *rb = bpfrt_ringbuf_new(rt, rb_fd, on_record, NULL);
	uint8_t ctx[64] = {0};
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.test.prog_fd = (uint32_t)bpfrt_program_fd(bpfrt_object_find_program_by_name(obj, "handle_exec"));
	a.test.ctx_in = (uintptr_t)ctx;
	a.test.ctx_size_in = sizeof(ctx);
	int r = bpfrt_bpf(rt, BPF_PROG_TEST_RUN, &a, sizeof(a));
	if (r || !rb || bpfrt_ringbuf_consume(rb) != 1 || got_pid != getpid() || got_ppid != getppid()) {
		fprintf(stderr, "FAIL: handle_exec: run %d, %d records, pid %d (want %d), ppid %d (want %d)\n", r, records,
			got_pid, getpid(), got_ppid, getppid());
		failures++;
	}
	bpfrt_ringbuf_free(rb);
	bpfrt_object_close(obj);
	bpfrt_free(rt);
	if (failures)
		return 1;
	printf("ok: %zu programs loaded unchanged; the exec record names pid %d, parent %d\n",
	       sizeof(want) / sizeof(want[0]), got_pid, got_ppid);
	return 0;
}
