/* syscall_tp.h — the kernel's syscall tracepoint records, as vmlinux.h
 * declares them, for eBPF programs on tracepoint/syscalls/sys_enter_* and
 * sys_exit_* (the shape BCC's libbpf-tools use).  Layouts are the x86-64
 * kernel's (/sys/kernel/tracing/events/syscalls/<event>/format): an 8-byte
 * common header, the syscall number at 8 (a long in the generic record,
 * an int __syscall_nr in the per-syscall formats: the low half on x86-64),
 * then the six arguments (sys_enter) or the return value (sys_exit) at 16.
 * preserve_access_index makes field accesses CO-RE relocations, as with
 * vmlinux.h.
 */
#ifndef BPFRT_EXAMPLES_SYSCALL_TP_H
#define BPFRT_EXAMPLES_SYSCALL_TP_H

#include <linux/types.h>
#include <stdbool.h>

#pragma clang attribute push(__attribute__((preserve_access_index)), apply_to = record)

struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
};

struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
	char __data[0];
};

struct trace_event_raw_sys_exit {
	struct trace_entry ent;
	long id;
	long ret;
	char __data[0];
};

#pragma clang attribute pop

#define TASK_COMM_LEN 16

#endif
