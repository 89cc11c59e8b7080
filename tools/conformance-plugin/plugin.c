/* plugin.c — bpfrt as a bpf_conformance plugin (bpfrt-conformance-plugin).
 *
 * Protocol (../shared/conformance/README.md): argv = [MEM-as-hex] [options],
 * stdin = the program as hex bytes.  Prints r0 in hex and exits 0, or prints
 * one line of error text and exits 1.  Options: --interpret (default),
 * --checked (bounds-checked interpreter), --jit (the x86-64 JIT; an error if
 * the program cannot be compiled),
 * --debug (disassembly to stderr), --elf (not supported yet: error).
 */
#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"
#include "jit/jit.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decode whitespace-separated hex byte tokens ("aa  bb  cc  ").  Returns
 * the byte count, or -1 on a bad token. */
static long decode_hex(const char *s, uint8_t **out)
{
	size_t cap = strlen(s) / 2 + 1, n = 0;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return -1;
	while (*s) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		char *end;
		unsigned long v = strtoul(s, &end, 16);
		if (end == s || v > 0xff || (*end && !isspace((unsigned char)*end))) {
			free(buf);
			return -1;
		}
		buf[n++] = (uint8_t)v;
		s = end;
	}
	*out = buf;
	return (long)n;
}

static char *read_stdin(void)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, stdin);
		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			char *nb = realloc(buf, cap * 2 + 1);
			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
		}
	}
	if (buf)
		buf[n] = 0;
	return buf;
}

static int fail(const char *fmt, const char *arg)
{
	printf(fmt, arg);
	putchar('\n');
	return 1;
}

int main(int argc, char **argv)
{
	const char *mem_hex = NULL;
	uint32_t flags = 0;
	int debug = 0;
	/* Read the whole program first, as the runner expects. */
	char *prog_hex = read_stdin();
	if (!prog_hex)
		return fail("out of memory%s", "");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!*a)
			continue; /* the runner splits options on single spaces */
		if (!strcmp(a, "--interpret"))
			flags &= ~(BPFRT_RUN_CHECKED | BPFRT_RUN_JIT);
		else if (!strcmp(a, "--checked"))
			flags = (flags & ~BPFRT_RUN_JIT) | BPFRT_RUN_CHECKED;
		else if (!strcmp(a, "--jit"))
			flags = (flags & ~BPFRT_RUN_CHECKED) | BPFRT_RUN_JIT;
		else if (!strcmp(a, "--debug"))
			debug = 1;
		else if (!strcmp(a, "--elf"))
			return fail("ELF input is not supported yet%s", "");
		else if (a[0] == '-')
			return fail("unknown option %s", a);
		else if (!mem_hex)
			mem_hex = a;
		else
			return fail("unexpected argument %s", a);
	}
	uint8_t *code = NULL, *mem = NULL;
	long code_len = decode_hex(prog_hex, &code);
	free(prog_hex);
	if (code_len <= 0 || code_len % 8)
		return fail("program is not a whole number of 8-byte instructions%s", "");
	long mem_len = 0;
	if (mem_hex && (mem_len = decode_hex(mem_hex, &mem)) < 0)
		return fail("memory argument is not hex bytes%s", "");

	const struct bpf_insn *insns = (const struct bpf_insn *)code;
	uint32_t cnt = (uint32_t)(code_len / 8);
	if (debug)
		bpfrt_disasm(insns, cnt, BPFRT_SYNTAX_LLVM, BPFRT_DISASM_INDEX, stderr);

	struct bpfrt *rt = bpfrt_new(NULL);
	struct bpfrt_vm_prog *prog = NULL;
	struct bpfrt_diag diag = {0};
	int rc = 1;
	if (!rt) {
		fail("out of memory%s", "");
		goto out;
	}
	if (bpfrt_vm_prog_new(rt, insns, cnt, NULL, &prog, &diag)) {
		fail("%s", diag.msg);
		goto out;
	}
	/* The suite's convention: r1 = memory, r2 = its length; the memory is
	 * also the packet that legacy LD_ABS/LD_IND read. */
	uint64_t args[2] = {(uintptr_t)mem, (uint64_t)mem_len};
	struct bpfrt_run_opts o = {.sz = sizeof(o), .flags = flags, .ctx = mem,
				   .ctx_size = (size_t)mem_len, .args = args, .nr_args = 2,
				   .packet = mem, .packet_size = (size_t)mem_len};
	uint64_t r0 = 0;
	if (bpfrt_vm_run(prog, &o, &r0, &diag)) {
		fail("%s", diag.msg);
		goto out;
	}
	const char *why = NULL;
	if ((flags & BPFRT_RUN_JIT) && bpfrt_jit_status(prog, &why) != 1) {
		fail("the JIT could not compile the program: %s", why ? why : "not compiled");
		goto out;
	}
	printf("%" PRIx64 "\n", r0);
	rc = 0;
out:
	bpfrt_vm_prog_free(prog);
	bpfrt_free(rt);
	free(code);
	free(mem);
	return rc;
}
