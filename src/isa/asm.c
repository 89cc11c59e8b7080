/* asm.c — STUB, to be replaced by the real assembler. */
#include "bpfrt/asm.h"
#include <errno.h>
int bpfrt_asm(const char *text, enum bpfrt_syntax syntax, struct bpf_insn **out, uint32_t *cnt,
	      struct bpfrt_diag *diag)
{
	(void)text, (void)syntax, (void)out, (void)cnt, (void)diag;
	return -ENOTSUP;
}
