/* cli.h — what the bpfrt command's object files share: global options,
 * bpftool-style error reporting (plain or JSON), a JSON writer with
 * bpftool's layout, small parsers, and the table of objects found under the
 * pin root that MAP and PROG arguments (id/pinned/name) resolve against. */
#ifndef BPFRT_TOOLS_CLI_H
#define BPFRT_TOOLS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "bpfrt/asm.h"
#include "bpfrt/bpfrt.h"

struct cli {
	int json, pretty, debug;
	int engine;           /* --engine: enum bpfrt_engine (0: the runtime's default) */
	const char *pin_root; /* --pin-root DIR; NULL: the runtime's default */
};

struct cli_object {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *usage;
};

int cmd_prog(struct cli *cli, int argc, char **argv);
int cmd_map(struct cli *cli, int argc, char **argv);
int cmd_asm(struct cli *cli, int argc, char **argv);
/* ELF objects (cmd_prog_obj.c): prog load / loadall / dump xlated. */
int cmd_prog_load(struct cli *cli, int argc, char **argv);
int cmd_prog_loadall(struct cli *cli, int argc, char **argv);
int cmd_prog_dump(struct cli *cli, int argc, char **argv);
int cmd_disasm(struct cli *cli, int argc, char **argv);
int cmd_btf(struct cli *cli, int argc, char **argv);
/* cmd_verify.c: the verifier alone, with its readable report. */
int cmd_verify(struct cli *cli, int argc, char **argv);
/* cmd_net.c: `net run` (packets of a capture); `net attach` (cmd_net_attach.c). */
int cmd_net(struct cli *cli, int argc, char **argv);
/* cmd_filter.c: tcpdump expressions via classic BPF -> eBPF over a capture. */
int cmd_filter(struct cli *cli, int argc, char **argv);

/* cmd_trace.c: syscall tracepoint programs on a command or a process. */
int cmd_trace(struct cli *cli, int argc, char **argv);

/* Print "Error: ..." (or bpftool's {"error": "..."} under -j); returns 255
 * like bpftool, so callers can `return cli_error(...)`. */
int cli_error(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* strerror() that also names the kernel's internal ENOTSUPP (524). */
const char *cli_strerror(int err);

/* Parse an unsigned number (decimal, 0x hex, 0 octal); -1 on junk. */
int cli_parse_u64(const char *s, uint64_t *out);

/* Read a whole file; *data is malloc'd.  Returns 0 or negative errno. */
int cli_read_file(const char *path, uint8_t **data, size_t *len);

/* Load a program from FILE: assembly text (.s/.asm or anything textual) or
 * raw instructions (a multiple of 8 bytes).  *insns is malloc'd. */
int cli_load_insns(const struct cli *cli, const char *path, struct bpf_insn **insns,
		   uint32_t *cnt);

/* Does the file start with the ELF magic? */
bool cli_is_elf(const char *path);

struct bpfrt_object;
struct bpfrt_program;
/* Open the ELF object at path with the object loader, pick the program
 * prog_name (NULL: the first), set every program's type to `type` (bpftool
 * name; NULL: from SEC()), load it if asked.  On success *obj must be
 * closed with bpfrt_object_close().  Prints the error and returns 255. */
int cli_object_open(const struct cli *cli, struct bpfrt *rt, const char *path, const char *prog_name,
		    const char *type, bool load, struct bpfrt_object **obj,
		    struct bpfrt_program **prog);

/* The runtime every command uses: pin root from --pin-root (else the
 * library's default).  Prints the error and returns NULL on failure. */
struct bpfrt *cli_runtime(const struct cli *cli);

struct bpfrt_btf;
/* The BTF object `id` of rt, parsed (free with bpfrt_btf_free); NULL if none. */
struct bpfrt_btf *cli_btf_by_id(struct bpfrt *rt, uint32_t id);

/* bpf(2) on the CLI's runtime with a full-size attr. */
int cli_bpf(struct bpfrt *rt, int cmd, union bpf_attr *attr);

/* Number of possible CPUs (per-CPU map values), counted like libbpf. */
uint32_t cli_possible_cpus(void);

/* bpftool's fprint_hex: "00 01 .. 07  08 .. 0f", a newline every 16 bytes. */
void cli_print_hex(FILE *f, const uint8_t *data, size_t n);

/* DATA := [hex] BYTES... starting at argv[*i], into out[n]; advances *i past
 * the bytes.  Errors as bpftool: "<what> expected N bytes got M". */
int cli_parse_data(const struct cli *cli, const char *what, int *i, int argc, char **argv,
		   uint8_t *out, uint32_t n);

/* ---- JSON with bpftool's layout (its json_writer: -j compact; -p puts
 * names on their own indented lines, array items stay on one line). ---- */
struct cli_json {
	FILE *f;
	int pretty, depth;
	char sep;
};
void cli_json_init(struct cli_json *w, const struct cli *cli);
void cli_json_end(struct cli_json *w); /* the final newline */
void cli_json_start_object(struct cli_json *w);
void cli_json_end_object(struct cli_json *w);
void cli_json_start_array(struct cli_json *w);
void cli_json_end_array(struct cli_json *w);
void cli_json_name(struct cli_json *w, const char *name);
/* Before a value the caller writes to w->f itself (BTF-formatted data). */
void cli_json_value_begin(struct cli_json *w);
void cli_json_uint(struct cli_json *w, uint64_t v);
void cli_json_int(struct cli_json *w, int64_t v);
void cli_json_bool(struct cli_json *w, bool v);
void cli_json_null(struct cli_json *w);
void cli_json_string(struct cli_json *w, const char *s);
/* ["0x00","0x01",...] */
void cli_json_hex(struct cli_json *w, const uint8_t *data, size_t n);
void cli_json_string_to(FILE *f, const char *s);

/* ---- Objects under the pin root (cli_objects.c) ----------------------- */

enum cli_kind { CLI_MAP = 1, CLI_PROG = 2 };

struct cli_obj {
	enum cli_kind kind;
	uint32_t id;      /* this process's id */
	int fd;           /* -1 until opened (maps a program brought in) */
	dev_t dev;        /* the file behind it (0 when unknown) */
	ino_t ino;
	char **paths;     /* visible pins of it found by the scan (or named) */
	size_t npaths;
	char *storage;    /* a path to its file, for its size (maybe hidden) */
};

struct cli_objs {
	const struct cli *cli;
	struct bpfrt *rt;
	struct cli_obj *v;
	size_t n;
	bool scanned;
	uint32_t last_map_id, last_prog_id;
	struct {
		uint32_t alias, id;
	} *aliases; /* map ids that are a second opening of a listed map */
	size_t naliases;
};

void cli_objs_init(struct cli_objs *t, const struct cli *cli, struct bpfrt *rt);
void cli_objs_free(struct cli_objs *t);
/* Open every bpfrt object under the pin root, in sorted path order. */
int cli_objs_scan(struct cli_objs *t);
/* An entry's fd (opened by id when needed); negative errno on failure. */
int cli_obj_fd(struct cli_objs *t, struct cli_obj *o);
/* The canonical id of map id (aliases resolved). */
uint32_t cli_objs_canon_map_id(const struct cli_objs *t, uint32_t id);

/* Parse MAP (kind CLI_MAP) or PROG (CLI_PROG) := id ID | pinned FILE |
 * name NAME at argv[*i].  With multi, every match of `name` is returned;
 * otherwise exactly one.  *out is malloc'd (entries point into t).  Prints errors and
 * returns 255 on failure. */
int cli_objs_parse(struct cli_objs *t, enum cli_kind kind, int *i, int argc, char **argv,
		   bool multi, struct cli_obj ***out, size_t *n);

/* Names of types as bpftool prints them; NULL when unknown. */
const char *cli_map_type_name(uint32_t type);
const char *cli_prog_type_name(uint32_t type);
int cli_map_type_parse(const char *name, uint32_t *type);
int cli_prog_type_parse(const char *name, uint32_t *type);

#endif
