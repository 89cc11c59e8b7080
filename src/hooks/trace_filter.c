/* trace_filter.c — the classic-BPF seccomp filter that decides which
 * syscalls of a traced command stop for the tracer: SECCOMP_RET_TRACE for
 * the watched numbers (every number when `all`), SECCOMP_RET_ALLOW for the
 * rest, which then cost nothing.  Syscalls of another ABI (i386, x32) are
 * allowed untouched: the tracer's tables are x86-64's.
 */
#define _GNU_SOURCE
#include "hooks/trace_internal.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdlib.h>

#define X32_BIT 0x40000000u

int trace_filter_build(const bool *watched, int max_nr, bool all, struct sock_filter **out, unsigned short *len)
{
	/* arch check (3) + nr load (1) + x32 check (2) + 2 per number + final (1) */
	size_t cap = 7 + 2 * (size_t)(max_nr + 1);
	struct sock_filter *f = calloc(cap, sizeof(*f));
	if (!f)
		return -ENOMEM;
	size_t n = 0;
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_BIT, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	if (all) {
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	} else {
		/* A compare and a return per number: no jump ever needs more
		 * than the 8-bit offset, however many numbers are watched. */
		for (int nr = 0; nr <= max_nr; nr++) {
			if (!watched[nr])
				continue;
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr, 0, 1);
			f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
		}
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	*out = f;
	*len = (unsigned short)n;
	return 0;
}
