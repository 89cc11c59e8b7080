/* hooks/cbpf.h — internals shared by the classic BPF checker
 * (cbpf_check.c), translator (cbpf.c) and socket filter runner
 * (cbpf_run.c).  The public API is include/bpfrt/cbpf.h.
 */
#ifndef BPFRT_HOOKS_CBPF_H
#define BPFRT_HOOKS_CBPF_H

#include "bpfrt/cbpf.h"

#include <stdbool.h>
#include <stdint.h>

/* Fill diag ("cBPF insn PC: ..." when pc >= 0), set errno, return err. */
int cbpf_fail(struct bpfrt_diag *diag, int err, int32_t pc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Is code one of the opcodes the kernel's bpf_check_classic accepts? */
bool cbpf_code_known(uint16_t code);
/* Is in an absolute load of SKF_AD_OFF + a known SKF_AD_* code? */
bool cbpf_is_ancillary(const struct sock_filter *in);

#endif
