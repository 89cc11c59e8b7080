/* helpers.h — what the helper files in src/helpers/ share: fault-safe reads
 * of process memory (the user-space meaning of the kernel's *_nofault
 * copies) and the kernel's restricted printf (bpf_bprintf_prepare +
 * bstr_printf semantics), used by trace_printk, trace_vprintk, snprintf.
 */
#ifndef BPFRT_HELPERS_HELPERS_H
#define BPFRT_HELPERS_HELPERS_H

#include "core/runtime.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Kernel limits: MAX_BPRINTF_VARARGS, MAX_BPRINTF_BUF, MAX_BPRINTF_BIN_ARGS. */
#define BPFRT_BPRINTF_MAX_ARGS 12
#define BPFRT_BPRINTF_BUF 1024
#define BPFRT_BPRINTF_BIN_ARGS 512

/* Copy n bytes from src, which may be any address: 0, or -EFAULT when some
 * byte is unreadable (dst is then zero-filled).  Never faults. */
int bpfrt_read_nofault(void *dst, const void *src, size_t n);
/* Copy a string of at most n bytes (NUL included): returns its length with
 * the NUL, n (dst[n-1] = 0) when truncated, 0 when n == 0, or -EFAULT when
 * memory ends before the NUL (like strncpy_from_kernel_nofault). */
long bpfrt_read_str_nofault(char *dst, const void *src, size_t n);

/* Format like the kernel's bpf printf helpers: validate fmt (fmt_size bytes
 * that must hold a NUL) against nargs arguments, then render into out
 * (out_size bytes, NUL-terminated when out_size > 0).  Returns the length
 * the whole text has (without NUL, as vsnprintf), or -EINVAL for a format
 * the kernel rejects, -ENOSPC when the arguments' copies exceed the
 * kernel's 512-byte area. */
int bpfrt_bprintf(const char *fmt, size_t fmt_size, const uint64_t *args, uint32_t nargs,
		  char *out, size_t out_size);

/* Checked mode: is fmt a NUL-terminated string the program may read?  Sets
 * *len (without the NUL).  Always true in unchecked mode. */
bool bpfrt_helper_cstr_ok(const struct bpfrt_run *run, const char *s, size_t *len);

/* bpf_override_return, bpf_send_signal(_thread) (task_control.c);
 * registered with the "current" helpers. */
void bpfrt_helpers_register_task_control(struct bpfrt *rt);

#endif
