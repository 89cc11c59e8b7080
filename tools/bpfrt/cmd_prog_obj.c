/* cmd_prog_obj.c — the `prog` commands that take ELF objects (the object
 * loader, bpfrt/object.h): `prog load`, `prog loadall`, `prog dump xlated`
 * (with BTF line info as `; source` comments, as bpftool prints them),
 * `prog dump jited` (the JIT's code, disassembled by objdump), and
 * the helpers `prog run file OBJ [prog NAME]` uses (cmd_prog.c).
 */
#define _GNU_SOURCE
#include "tools/bpfrt/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpfrt/object.h"

bool cli_is_elf(const char *path)
{
	unsigned char magic[4] = {0};
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	size_t n = fread(magic, 1, 4, f);
	fclose(f);
	return n == 4 && !memcmp(magic, "\177ELF", 4);
}

int cli_object_open(const struct cli *cli, struct bpfrt *rt, const char *path, const char *prog_name,
		    const char *type, bool load, struct bpfrt_object **objp,
		    struct bpfrt_program **progp)
{
	struct bpfrt_diag diag;
	struct bpfrt_object *obj = bpfrt_object_open_file(rt, path, NULL, &diag);
	if (!obj)
		return cli_error(cli, "failed to open object file: %s", diag.msg);
	struct bpfrt_program *prog = prog_name ? bpfrt_object_find_program_by_name(obj, prog_name)
					       : bpfrt_object_next_program(obj, NULL);
	if (!prog) {
		bpfrt_object_close(obj);
		return prog_name ? cli_error(cli, "object '%s' has no program '%s'", path, prog_name)
				 : cli_error(cli, "object '%s' has no programs", path);
	}
	if (type) {
		uint32_t t;
		if (cli_prog_type_parse(type, &t)) {
			bpfrt_object_close(obj);
			return cli_error(cli, "unrecognized program type: %s", type);
		}
		for (struct bpfrt_program *p = NULL; (p = bpfrt_object_next_program(obj, p));)
			bpfrt_program_set_type(p, t);
	}
	if (load && bpfrt_object_load(obj)) {
		int rc = cli_error(cli, "failed to load object file: %s", bpfrt_object_error(obj));
		bpfrt_object_close(obj);
		return rc;
	}
	*objp = obj;
	if (progp)
		*progp = prog;
	return 0;
}

static int make_dir(const struct cli *cli, const char *dir)
{
	if (mkdir(dir, 0700) && errno != EEXIST)
		return cli_error(cli, "can't create directory '%s': %s", dir, strerror(errno));
	return 0;
}

/* prog load OBJ PATH [type TYPE] [pinmaps DIR] / prog loadall OBJ DIR ... */
static int do_load_common(struct cli *cli, int argc, char **argv, bool all)
{
	if (argc < 2)
		return cli_error(cli, "'prog %s' needs OBJ and %s", all ? "loadall" : "load",
				 all ? "DIR" : "PATH");
	const char *file = argv[0], *path = argv[1], *type = NULL, *pinmaps = NULL;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "type") && i + 1 < argc)
			type = argv[++i];
		else if (!strcmp(argv[i], "pinmaps") && i + 1 < argc)
			pinmaps = argv[++i];
		else
			return cli_error(cli, "unknown or incomplete keyword '%s' (expected 'type TYPE' or 'pinmaps DIR')",
					 argv[i]);
	}
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	struct bpfrt_object *obj = NULL;
	struct bpfrt_program *prog = NULL;
	int rc = cli_object_open(cli, rt, file, NULL, type, true, &obj, &prog);
	if (!rc && all) {
		rc = make_dir(cli, path);
		if (!rc && bpfrt_object_pin_programs(obj, path))
			rc = cli_error(cli, "failed to pin programs: %s", bpfrt_object_error(obj));
	} else if (!rc) {
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.bpf_fd = (uint32_t)bpfrt_program_fd(prog);
		a.pathname = (uintptr_t)path;
		int e = cli_bpf(rt, BPF_OBJ_PIN, &a);
		if (e)
			rc = cli_error(cli, "failed to pin program '%s' at %s: %s", bpfrt_program_name(prog), path,
				       cli_strerror(e));
	}
	if (!rc && pinmaps) {
		rc = make_dir(cli, pinmaps);
		if (!rc && bpfrt_object_pin_maps(obj, pinmaps))
			rc = cli_error(cli, "failed to pin maps: %s", bpfrt_object_error(obj));
	}
	if (!rc && cli->json)
		puts("null");
	bpfrt_object_close(obj);
	bpfrt_free(rt);
	return rc;
}

int cmd_prog_load(struct cli *cli, int argc, char **argv)
{
	return do_load_common(cli, argc, argv, false);
}

int cmd_prog_loadall(struct cli *cli, int argc, char **argv)
{
	return do_load_common(cli, argc, argv, true);
}

/* bpftool prints the source line without its indentation, after "; ". */
static void print_line(const struct cli *cli, const struct bpfrt_btf *btf, const struct bpf_line_info *li,
		       bool linum, struct cli_json *w)
{
	const char *line = bpfrt_btf_str(btf, li->line_off);
	const char *file = bpfrt_btf_str(btf, li->file_name_off);
	if (!line)
		line = "";
	if (!file)
		file = "";
	while (*line == ' ' || *line == '\t')
		line++;
	(void)cli;
	if (w) {
		cli_json_name(w, "src");
		cli_json_string(w, line);
		if (linum) {
			cli_json_name(w, "file");
			cli_json_string(w, file);
			cli_json_name(w, "line_num");
			cli_json_uint(w, BPF_LINE_INFO_LINE_NUM(li->line_col));
			cli_json_name(w, "line_col");
			cli_json_uint(w, BPF_LINE_INFO_LINE_COL(li->line_col));
		}
		return;
	}
	if (linum)
		printf("; %s [file:%s line_num:%u line_col:%u]\n", line, file,
		       BPF_LINE_INFO_LINE_NUM(li->line_col), BPF_LINE_INFO_LINE_COL(li->line_col));
	else
		printf("; %s\n", line);
}

static void dump_insns(const struct cli *cli, const struct bpf_insn *insns, uint32_t cnt,
		       const struct bpfrt_btf *btf, const struct bpf_line_info *li, uint32_t nli, bool linum,
		       bool opcodes)
{
	struct cli_json w, *jw = NULL;
	if (cli->json) {
		jw = &w;
		cli_json_init(jw, cli);
		cli_json_start_array(jw);
	}
	uint32_t k = 0;
	for (uint32_t i = 0; i < cnt;) {
		char buf[256];
		int n = bpfrt_disasm_insn(insns, cnt, i, BPFRT_SYNTAX_LLVM, buf, sizeof(buf));
		if (n <= 0)
			n = 1;
		if (jw)
			cli_json_start_object(jw);
		for (; k < nli && li[k].insn_off <= i; k++)
			if (btf && li[k].insn_off == i)
				print_line(cli, btf, &li[k], linum, jw);
		if (jw) {
			cli_json_name(jw, "disasm");
			cli_json_string(jw, buf);
			if (opcodes) {
				cli_json_name(jw, "opcodes");
				cli_json_hex(jw, (const uint8_t *)&insns[i], (size_t)n * sizeof(*insns));
			}
			cli_json_end_object(jw);
		} else {
			printf("%4u: (%02x) %s\n", i, insns[i].code, buf);
			if (opcodes) {
				printf("       ");
				cli_print_hex(stdout, (const uint8_t *)&insns[i], (size_t)n * sizeof(*insns));
				printf("\n");
			}
		}
		i += (uint32_t)n;
	}
	if (jw) {
		cli_json_end_array(jw);
		cli_json_end(jw);
	}
}

/* ---- dump jited ------------------------------------------------------ */

/* One native instruction as objdump printed it. */
struct native_line {
	uint32_t off;
	char *text;
};

/* Is prog an executable on $PATH? */
static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];
	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog);
		if (n && access(buf, X_OK) == 0)
			return true;
		p += n;
		if (*p == ':')
			p++;
	}
	return false;
}

/* Disassemble code with objdump on a temporary file: binutils is on every
 * machine that builds bpfrt, so this costs no library dependency (a
 * disassembler library such as capstone would be one for a debugging
 * command).  Returns the lines in offset order, or NULL with *err set. */
static struct native_line *objdump_code(const uint8_t *code, size_t size, size_t *nlines, const char **err)
{
	char path[] = "/tmp/bpfrt-jited-XXXXXX";
	int fd = mkstemp(path);
	*err = "can't create a temporary file";
	if (fd < 0)
		return NULL;
	bool ok = write(fd, code, size) == (ssize_t)size;
	close(fd);
	struct native_line *v = NULL;
	size_t n = 0, cap = 0;
	char cmd[128], line[512];
	snprintf(cmd, sizeof(cmd), "objdump -D -b binary -mi386:x86-64 --no-show-raw-insn %s 2>/dev/null", path);
	FILE *f = ok ? popen(cmd, "r") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		/* "    1a:\tmov    %rdi,%rbx" */
		char *end, *tab = strchr(line, '\t');
		unsigned long off = strtoul(line, &end, 16);
		if (!tab || end == line || *end != ':' || tab != end + 1 || off >= size)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			struct native_line *nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		v[n].off = (uint32_t)off;
		v[n].text = strdup(tab + 1);
		if (!v[n].text)
			break;
		n++;
	}
	int status = f ? pclose(f) : -1;
	unlink(path);
	if (status != 0 || !n) {
		for (size_t i = 0; i < n; i++)
			free(v[i].text);
		free(v);
		*err = "objdump failed";
		return NULL;
	}
	*nlines = n;
	return v;
}

/* Native lines [*k, first with off >= end) as text or JSON "jited" entries. */
static void print_native(struct cli_json *jw, const struct native_line *nl, size_t n, size_t *k, uint32_t end,
			 const uint8_t *code, size_t size, bool opcodes)
{
	if (jw) {
		cli_json_name(jw, "jited");
		cli_json_start_array(jw);
	}
	for (; *k < n && nl[*k].off < end; (*k)++) {
		uint32_t next = *k + 1 < n ? nl[*k + 1].off : (uint32_t)size;
		if (jw) {
			char pc[16];
			snprintf(pc, sizeof(pc), "0x%x", nl[*k].off);
			cli_json_start_object(jw);
			cli_json_name(jw, "pc");
			cli_json_string(jw, pc);
			cli_json_name(jw, "operation");
			cli_json_string(jw, nl[*k].text);
			if (opcodes) {
				cli_json_name(jw, "opcodes");
				cli_json_hex(jw, code + nl[*k].off, next - nl[*k].off);
			}
			cli_json_end_object(jw);
		} else {
			printf("      %4x:\t%s\n", nl[*k].off, nl[*k].text);
			if (opcodes) {
				printf("      \t");
				cli_print_hex(stdout, code + nl[*k].off, next - nl[*k].off);
				printf("\n");
			}
		}
	}
	if (jw)
		cli_json_end_array(jw);
}

/* Each eBPF instruction (with its source line when there is line info),
 * then the native code the JIT made of it; the native code before the
 * first instruction is the entry sequence the C side calls and the abort
 * path, after the last the fault exits.  JSON: an array of
 * {"insn","disasm"[,"src"],"jited":[{"pc","operation"[,"opcodes"]}]}, with
 * {"part":"entry"|"exits","jited":[...]} for the rest. */
static int dump_jited(const struct cli *cli, struct bpfrt *rt, int fd, const struct bpf_insn *insns, uint32_t cnt,
		      const struct bpfrt_btf *btf, const struct bpf_line_info *li, uint32_t nli, bool linum,
		      bool opcodes)
{
	struct bpfrt_jited j = {.sz = sizeof(j)};
	int e = bpfrt_prog_jited(rt, fd, true, &j);
	if (e == -ENOTSUP)
		return cli_error(cli, "the JIT can't compile this program: %s", j.reason);
	if (e)
		return cli_error(cli, "can't JIT the program: %s", cli_strerror(e));
	if (j.insn_cnt != cnt)
		return cli_error(cli, "the JIT image has %u instruction slots, the program %u", j.insn_cnt, cnt);
	if (!on_path("objdump"))
		return cli_error(cli, "objdump (binutils) not found: can't disassemble %zu bytes of native code", j.size);
	size_t n = 0, k = 0;
	const char *why;
	struct native_line *nl = objdump_code(j.code, j.size, &n, &why);
	if (!nl)
		return cli_error(cli, "can't disassemble the native code: %s", why);
	struct cli_json w, *jw = NULL;
	if (cli->json) {
		jw = &w;
		cli_json_init(jw, cli);
		cli_json_start_array(jw);
	}
	if (j.insn_off[0] > 0) {
		if (jw) {
			cli_json_start_object(jw);
			cli_json_name(jw, "part");
			cli_json_string(jw, "entry");
		} else {
			printf("; entry from C, abort path\n");
		}
		print_native(jw, nl, n, &k, j.insn_off[0], j.code, j.size, opcodes);
		if (jw)
			cli_json_end_object(jw);
	}
	uint32_t l = 0;
	for (uint32_t i = 0; i < cnt;) {
		char buf[256];
		int w1 = bpfrt_disasm_insn(insns, cnt, i, BPFRT_SYNTAX_LLVM, buf, sizeof(buf));
		if (w1 <= 0)
			w1 = 1;
		uint32_t next = i + (uint32_t)w1 <= cnt ? i + (uint32_t)w1 : cnt;
		if (jw)
			cli_json_start_object(jw);
		for (; l < nli && li[l].insn_off <= i; l++)
			if (btf && li[l].insn_off == i)
				print_line(cli, btf, &li[l], linum, jw);
		if (jw) {
			cli_json_name(jw, "insn");
			cli_json_uint(jw, i);
			cli_json_name(jw, "disasm");
			cli_json_string(jw, buf);
		} else {
			printf("%4u: (%02x) %s\n", i, insns[i].code, buf);
		}
		print_native(jw, nl, n, &k, j.insn_off[next], j.code, j.size, opcodes);
		if (jw)
			cli_json_end_object(jw);
		i = next;
	}
	if (k < n) {
		if (jw) {
			cli_json_start_object(jw);
			cli_json_name(jw, "part");
			cli_json_string(jw, "exits");
		} else {
			printf("; fault exits\n");
		}
		print_native(jw, nl, n, &k, UINT32_MAX, j.code, j.size, opcodes);
		if (jw)
			cli_json_end_object(jw);
	}
	if (jw) {
		cli_json_end_array(jw);
		cli_json_end(jw);
	}
	for (size_t i = 0; i < n; i++)
		free(nl[i].text);
	free(nl);
	return 0;
}

/* prog dump (xlated | jited) PROG [linum] [opcodes], PROG := pinned PATH |
 * id ID | name NAME | file OBJ [prog NAME].  A `file` object is loaded
 * first, so xlated shows what BPF_PROG_LOAD got (map references as fds); a
 * loaded program shows the runtime's xlated form.  Line info comes with
 * `file`.  jited compiles the program if no run did yet and interleaves
 * the runtime's xlated instructions with their native code. */
int cmd_prog_dump(struct cli *cli, int argc, char **argv)
{
	if (argc < 1 || (strcmp(argv[0], "xlated") && strcmp(argv[0], "jited")))
		return cli_error(cli, "expected 'xlated' or 'jited' after 'prog dump'");
	bool jited = !strcmp(argv[0], "jited");
	argc--;
	argv++;
	if (argc < 2)
		return cli_error(cli, "expected PROG (id ID | pinned FILE | name NAME | file OBJ [prog NAME])");
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	int rc = 0, i = 0;
	bool linum = false, opcodes = false;
	const char *file = NULL, *pname = NULL;
	if (!strcmp(argv[0], "file")) {
		file = argv[1];
		i = 2;
		if (i + 1 < argc && !strcmp(argv[i], "prog")) {
			pname = argv[i + 1];
			i += 2;
		}
	}
	struct cli_objs t;
	cli_objs_init(&t, cli, rt);
	struct bpf_insn *xl = NULL;
	uint32_t cnt = 0;
	struct bpfrt_object *obj = NULL;
	struct bpfrt_program *prog = NULL;
	int fd = -1;
	if (file)
		rc = cli_object_open(cli, rt, file, pname, NULL, true, &obj, &prog);
	if (!rc && file)
		fd = bpfrt_program_fd(prog);
	if (!file || jited) {
		struct cli_obj **v;
		size_t n;
		if (!file)
			rc = cli_objs_parse(&t, CLI_PROG, &i, argc, argv, false, &v, &n);
		if (!rc) {
			if (!file) {
				fd = cli_obj_fd(&t, v[0]);
				free(v);
			}
			struct bpf_prog_info info;
			union bpf_attr a;
			memset(&info, 0, sizeof(info));
			memset(&a, 0, sizeof(a));
			a.info.bpf_fd = (uint32_t)fd;
			a.info.info = (uintptr_t)&info;
			a.info.info_len = sizeof(info);
			int e = fd < 0 ? fd : cli_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a);
			if (!e) {
				cnt = info.xlated_prog_len / sizeof(struct bpf_insn);
				xl = calloc(cnt + 1, sizeof(*xl));
				memset(&info, 0, sizeof(info));
				info.xlated_prog_len = cnt * (uint32_t)sizeof(*xl);
				info.xlated_prog_insns = (uintptr_t)xl;
				e = xl ? cli_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a) : -ENOMEM;
			}
			if (e)
				rc = cli_error(cli, "can't get the program's instructions: %s", cli_strerror(e));
		}
	}
	for (; !rc && i < argc; i++) {
		if (!strcmp(argv[i], "linum"))
			linum = true;
		else if (!strcmp(argv[i], "opcodes"))
			opcodes = true;
		else
			rc = cli_error(cli, "unknown keyword '%s' (expected linum, opcodes)", argv[i]);
	}
	if (!rc && jited) {
		uint32_t nli = 0;
		const struct bpf_line_info *li = prog ? bpfrt_program_line_info(prog, &nli) : NULL;
		rc = dump_jited(cli, rt, fd, xl, cnt, prog ? bpfrt_object_btf(obj) : NULL, li, nli, linum, opcodes);
	} else if (!rc) {
		if (prog) {
			uint32_t nli = 0;
			const struct bpf_insn *in = bpfrt_program_insns(prog, &cnt);
			const struct bpf_line_info *li = bpfrt_program_line_info(prog, &nli);
			dump_insns(cli, in, cnt, bpfrt_object_btf(obj), li, nli, linum, opcodes);
		} else {
			dump_insns(cli, xl, cnt, NULL, NULL, 0, linum, opcodes);
		}
	}
	free(xl);
	bpfrt_object_close(obj);
	cli_objs_free(&t);
	bpfrt_free(rt);
	return rc;
}
