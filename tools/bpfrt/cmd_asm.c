/* cmd_asm.c — `bpfrt asm` (text to instructions) and `bpfrt disasm`
 * (instructions or text to a listing).  Both take bpftool-style keyword
 * arguments after FILE; errors print "Error: FILE:LINE: message" and exit
 * 255.  Raw instruction files are little-endian struct bpf_insn arrays. */
#include "tools/bpfrt/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct asm_args {
	const char *file, *out;
	enum bpfrt_syntax syntax;
	int opcodes;
};

static const struct {
	const char *name;
	enum bpfrt_syntax syntax;
} syntax_names[] = {
	{"llvm", BPFRT_SYNTAX_LLVM},
	{"conformance", BPFRT_SYNTAX_CONFORMANCE},
	{"auto", BPFRT_SYNTAX_AUTO},
};

static int parse_syntax(const struct cli *cli, const char *name, enum bpfrt_syntax *out)
{
	for (size_t i = 0; i < sizeof(syntax_names) / sizeof(syntax_names[0]); i++) {
		if (!strcmp(name, syntax_names[i].name)) {
			*out = syntax_names[i].syntax;
			return 0;
		}
	}
	return cli_error(cli, "unknown syntax '%s' (expected llvm or conformance)", name);
}

/* FILE, then keywords; allow_out / allow_opcodes say which apply. */
static int parse_args(const struct cli *cli, int argc, char **argv, struct asm_args *a,
		      int allow_out, int allow_opcodes)
{
	if (argc < 1)
		return cli_error(cli, "expected FILE");
	a->file = argv[0];
	for (int i = 1; i < argc; i++) {
		const char *k = argv[i];
		if (allow_out && !strcmp(k, "-o") && i + 1 < argc)
			a->out = argv[++i];
		else if (!strcmp(k, "syntax") && i + 1 < argc) {
			if (parse_syntax(cli, argv[++i], &a->syntax))
				return 255;
		} else if (allow_opcodes && !strcmp(k, "opcodes"))
			a->opcodes = 1;
		else
			return cli_error(cli, "unexpected argument '%s'", k);
	}
	return 0;
}

static int assemble_file(const struct cli *cli, const char *path, const char *text,
			 enum bpfrt_syntax syntax, struct bpf_insn **insns, uint32_t *cnt)
{
	struct bpfrt_diag diag = {0};
	if (bpfrt_asm(text, syntax, insns, cnt, &diag))
		return cli_error(cli, "%s:%d: %s", path, diag.line, diag.msg);
	return 0;
}

static int write_raw(const struct cli *cli, const char *path, const struct bpf_insn *insns,
		     uint32_t cnt)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return cli_error(cli, "can't create '%s': %s", path, strerror(errno));
	size_t n = fwrite(insns, sizeof(*insns), cnt, f);
	int err = fclose(f);
	if (n != cnt || err)
		return cli_error(cli, "can't write '%s': %s", path, strerror(errno));
	return 0;
}

int cmd_asm(struct cli *cli, int argc, char **argv)
{
	struct asm_args a = {0};
	int err = parse_args(cli, argc, argv, &a, 1, 0);
	if (err)
		return err;
	uint8_t *data;
	size_t len;
	if ((err = cli_read_file(a.file, &data, &len)))
		return cli_error(cli, "can't read '%s': %s", a.file, strerror(-err));
	struct bpf_insn *insns = NULL;
	uint32_t cnt = 0;
	err = memchr(data, 0, len) ? cli_error(cli, "%s: not a text file", a.file)
				   : assemble_file(cli, a.file, (const char *)data, a.syntax, &insns, &cnt);
	free(data);
	if (!err && a.out)
		err = write_raw(cli, a.out, insns, cnt);
	else if (!err)
		bpfrt_disasm(insns, cnt, BPFRT_SYNTAX_LLVM, BPFRT_DISASM_INDEX, stdout);
	free(insns);
	return err;
}

/* Raw instructions, or assembly text (anything without NUL bytes that is
 * not a multiple of 8 bytes of binary). */
static int load_program(const struct cli *cli, const char *path, struct bpf_insn **insns,
			uint32_t *cnt)
{
	uint8_t *data;
	size_t len;
	int err = cli_read_file(path, &data, &len);
	if (err)
		return cli_error(cli, "can't read '%s': %s", path, strerror(-err));
	if (len >= 4 && !memcmp(data, "\177ELF", 4))
		err = cli_error(cli, "%s: ELF objects are not supported yet", path);
	else if (!memchr(data, 0, len) && len)
		err = assemble_file(cli, path, (const char *)data, BPFRT_SYNTAX_AUTO, insns, cnt);
	else if (len == 0 || len % sizeof(struct bpf_insn))
		err = cli_error(cli, "%s: raw program size %zu is not a multiple of 8", path, len);
	else if (len / sizeof(struct bpf_insn) > UINT32_MAX)
		err = cli_error(cli, "%s: program too large", path);
	if (err || *insns) {
		free(data);
		return err;
	}
	*insns = (struct bpf_insn *)data;
	*cnt = (uint32_t)(len / sizeof(struct bpf_insn));
	return 0;
}

int cmd_disasm(struct cli *cli, int argc, char **argv)
{
	struct asm_args a = {.syntax = BPFRT_SYNTAX_LLVM};
	int err = parse_args(cli, argc, argv, &a, 0, 1);
	if (err)
		return err;
	struct bpf_insn *insns = NULL;
	uint32_t cnt = 0;
	if ((err = load_program(cli, a.file, &insns, &cnt)))
		return err;
	uint32_t flags = BPFRT_DISASM_INDEX;
	if (a.opcodes)
		flags |= BPFRT_DISASM_OPCODES;
	if (a.syntax == BPFRT_SYNTAX_CONFORMANCE)
		flags |= BPFRT_DISASM_LABELS;
	err = bpfrt_disasm(insns, cnt, a.syntax, flags, stdout);
	free(insns);
	if (err)
		return cli_error(cli, "%s: %s", a.file,
				 err == -EINVAL ? "the program has invalid instructions" : strerror(-err));
	return 0;
}
