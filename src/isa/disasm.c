/* disasm.c — STUB, to be replaced by the real disassembler. */
#include "bpfrt/asm.h"
#include <errno.h>
int bpfrt_disasm_insn(const struct bpf_insn *insns, uint32_t cnt, uint32_t idx,
		      enum bpfrt_syntax syntax, char *buf, size_t len)
{
	(void)insns, (void)cnt, (void)idx, (void)syntax, (void)buf, (void)len;
	return -ENOTSUP;
}
int bpfrt_disasm(const struct bpf_insn *insns, uint32_t cnt, enum bpfrt_syntax syntax,
		 uint32_t flags, FILE *f)
{
	(void)insns, (void)cnt, (void)syntax, (void)flags, (void)f;
	return -ENOTSUP;
}
