/* task_struct.h — bpfrt's description of a task for bpf_get_current_task():
 * a small struct task_struct with the kernel's member names (pid, tgid,
 * real_parent, comm, cred, ...), built by the helper in this process's
 * memory and described in bpfrt's builtin BTF (loader/btf_builtin.c) from
 * this very layout, so CO-RE reads such as BPF_CORE_READ(task, real_parent,
 * tgid) relocate to it and bpf_probe_read_kernel reads it.  Members the
 * kernel has and bpfrt does not describe are absent: a CO-RE access to one
 * fails at load (or answers 0 to bpf_core_field_exists).
 */
#ifndef BPFRT_HELPERS_TASK_STRUCT_H
#define BPFRT_HELPERS_TASK_STRUCT_H

#include <stdint.h>

struct bpfrt_kid {
	uint32_t val; /* kuid_t / kgid_t: struct { uid_t val; } */
};

struct bpfrt_cred {
	struct bpfrt_kid uid, gid, suid, sgid, euid, egid, fsuid, fsgid;
};

struct bpfrt_task_struct {
	uint32_t __state;      /* 0: TASK_RUNNING (it is running the probed code) */
	uint32_t flags;        /* PF_*: 0 */
	uint32_t cpu;          /* the CPU the tracer saw it on last */
	int32_t prio;          /* 120 + nice */
	int32_t pid, tgid;     /* thread and process ids */
	struct bpfrt_task_struct *real_parent, *parent, *group_leader;
	const struct bpfrt_cred *real_cred, *cred;
	uint64_t start_time, start_boottime; /* ns since boot */
	char comm[16];
	int32_t exit_code, exit_signal;
};

#endif
