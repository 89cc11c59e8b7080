/* cli.h — what the bpfrt command's object files share: global options,
 * bpftool-style error reporting (plain or JSON) and small parsers. */
#ifndef BPFRT_TOOLS_CLI_H
#define BPFRT_TOOLS_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"

struct cli {
	int json, pretty, debug;
	const char *engine;
};

struct cli_object {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *usage;
};

int cmd_prog(struct cli *cli, int argc, char **argv);
int cmd_asm(struct cli *cli, int argc, char **argv);
int cmd_disasm(struct cli *cli, int argc, char **argv);

/* Print "Error: ..." (or bpftool's {"error": "..."} under -j); returns 255
 * like bpftool, so callers can `return cli_error(...)`. */
int cli_error(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse an unsigned number (decimal, 0x hex, 0 octal); -1 on junk. */
int cli_parse_u64(const char *s, uint64_t *out);

/* Read a whole file; *data is malloc'd.  Returns 0 or negative errno. */
int cli_read_file(const char *path, uint8_t **data, size_t *len);

/* Load a program from FILE: assembly text (.s/.asm or anything textual) or
 * raw instructions (a multiple of 8 bytes).  *insns is malloc'd. */
int cli_load_insns(const struct cli *cli, const char *path, struct bpf_insn **insns,
		   uint32_t *cnt);

#endif
