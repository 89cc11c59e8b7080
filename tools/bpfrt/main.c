/* main.c — the bpfrt command line: global options, then OBJECT COMMAND ...
 *
 * Grammar follows bpftool (see ../../docs/cli.md): `bpfrt [-j|-p] [-d]
 * [--engine jit|interp|checked] [--pin-root DIR] OBJECT COMMAND ARGS`.  Each
 * OBJECT has its own file
 * (cmd_prog.c, cmd_asm.c, ...) exporting one entry in the table below.
 */
#include "tools/bpfrt/cli.h"

#include <stdio.h>
#include <string.h>

static const struct cli_object objects[] = {
	{"prog", cmd_prog, "prog { show | list | run | pin } ..."},
	{"map", cmd_map, "map { show | list | create | dump | lookup | update | delete | getnext | peek | push | pop | freeze | pin } ..."},
	{"btf", cmd_btf, "btf dump { file OBJ | map MAP | id ID } [format { raw | c }]"},
	{"asm", cmd_asm, "asm FILE [-o OUT] [syntax llvm|conformance]"},
	{"disasm", cmd_disasm, "disasm FILE [syntax llvm|conformance]"},
	{"verify", cmd_verify, "verify FILE [prog NAME] [type TYPE] [log_level N]"},
	{"net", cmd_net, "net { run | attach } { xdp | tc } PROG ..."},
	{"filter", cmd_filter, "filter EXPRESSION CAPTURE [-w OUT]"},
	{"trace", cmd_trace, "trace (OBJ [pinmaps DIR] | pinned DIR) [set VAR=VALUE]... (-- COMMAND ARGS... | pid PID)"},
};

static int usage(FILE *f)
{
	fprintf(f, "Usage: bpfrt [-j|-p] [-d] [--engine jit|interp|checked] [--pin-root DIR] OBJECT COMMAND ...\n"
		   "OBJECT := { prog | map | btf | asm | disasm | verify | net | filter | trace }\n");
	for (size_t i = 0; i < sizeof(objects) / sizeof(objects[0]); i++)
		fprintf(f, "  bpfrt %s\n", objects[i].usage);
	return f == stderr ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct cli cli = {0};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-j") || !strcmp(a, "--json"))
			cli.json = 1;
		else if (!strcmp(a, "-p") || !strcmp(a, "--pretty"))
			cli.json = cli.pretty = 1;
		else if (!strcmp(a, "-d") || !strcmp(a, "--debug"))
			cli.debug = 1;
		else if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return usage(stdout);
		else if (!strcmp(a, "--engine")) {
			if (++i >= argc || bpfrt_engine_parse(argv[i]) < 0)
				return cli_error(&cli, "--engine needs 'jit', 'interp' or 'checked'");
			cli.engine = bpfrt_engine_parse(argv[i]);
		} else if (!strcmp(a, "--pin-root")) {
			if (++i >= argc || !argv[i][0])
				return cli_error(&cli, "--pin-root needs a DIR argument");
			cli.pin_root = argv[i];
		} else
			return cli_error(&cli, "unknown option '%s'", a);
	}
	if (i >= argc)
		return usage(stderr);
	for (size_t k = 0; k < sizeof(objects) / sizeof(objects[0]); k++)
		if (!strcmp(argv[i], objects[k].name))
			return objects[k].fn(&cli, argc - i - 1, argv + i + 1);
	return cli_error(&cli, "object '%s' is unknown, have you spelled it right?", argv[i]);
}
