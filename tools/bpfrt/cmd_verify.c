/* cmd_verify.c — `bpfrt verify FILE [prog NAME] [type TYPE] [log_level N]`:
 * the verifier alone, with its readable report (docs/verifier-errors.md).
 *
 * FILE is an ELF object (every program, or the one named) or assembly text
 * / raw instructions (one program, `type TYPE`, XDP by default, as `prog
 * run file`).  An object's maps are created under a private, temporary pin
 * root (LIBBPF_PIN_BY_NAME maps are neither reused nor left behind), its
 * programs relocated and each given to BPF_PROG_LOAD on its own, so one
 * rejected program does not hide the verdicts of the others; prog-array
 * initialisers are not filled (tail-call targets are verified separately).
 *
 * Output per program: "prog NAME: verified (N insns processed)" or
 * "prog NAME: rejected (ERRNO)" followed by the verifier's "bpfrt: insn N
 * ..." summary; with log_level 2 the whole verifier log follows the verdict
 * line.  -j: [{"prog":..,"verified":..,"insns_processed":..,"error":..,
 * "log":..}], error being the summary (or the errno's text), log the
 * verifier log (null with log_level 0).  Exit status: 0 if every program verified, 1 if any was
 * rejected, 255 on usage or I/O errors.
 */
#define _GNU_SOURCE
#include "tools/bpfrt/cli.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfrt/object.h"
#include "loader/loader.h"

#define LOG_MIN (1u << 20)
#define LOG_MAX (256u << 20)

struct verdict {
	char name[256];
	int err;       /* 0: verified; negative errno */
	char *log;     /* malloc'd verifier log (may be NULL) */
	uint64_t processed;
	bool have_processed;
};

/* BPF_PROG_LOAD with a log buffer that grows until the log fits. */
static int verify_insns(struct bpfrt *rt, uint32_t type, uint32_t attach_type, const char *license,
			const struct bpf_insn *insns, uint32_t cnt, const char *name, uint32_t log_level,
			int btf_fd, const struct bpf_line_info *linfo, uint32_t nlinfo, struct verdict *v)
{
	snprintf(v->name, sizeof(v->name), "%s", name);
	for (uint32_t size = LOG_MIN;; size *= 2) {
		char *log = calloc(1, size);
		if (!log)
			return -ENOMEM;
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.prog_type = type;
		a.expected_attach_type = attach_type;
		a.insns = (uintptr_t)insns;
		a.insn_cnt = cnt;
		a.license = (uintptr_t)license;
		a.log_buf = (uintptr_t)log;
		a.log_size = size;
		a.log_level = log_level;
		if (btf_fd >= 0 && nlinfo) { /* source lines in the verifier's messages */
			a.prog_btf_fd = (uint32_t)btf_fd;
			a.line_info = (uintptr_t)linfo;
			a.line_info_cnt = nlinfo;
			a.line_info_rec_size = sizeof(*linfo);
		}
		size_t n = strlen(name);
		memcpy(a.prog_name, name, n < BPF_OBJ_NAME_LEN - 1 ? n : BPF_OBJ_NAME_LEN - 1);
		int fd = cli_bpf(rt, BPF_PROG_LOAD, &a);
		if (fd == -ENOSPC && size < LOG_MAX) {
			free(log);
			continue;
		}
		if (fd >= 0)
			bpfrt_close(rt, fd);
		v->err = fd < 0 ? fd : 0;
		v->log = log;
		const char *p = strstr(log, "processed ");
		unsigned long long k;
		if (p && sscanf(p, "processed %llu insns", &k) == 1) {
			v->processed = k;
			v->have_processed = true;
		}
		return 0;
	}
}

/* The readable part of a rejection: from the "bpfrt: " line on, else the
 * last non-empty line of the log (format errors come without a summary). */
static const char *summary_of(const char *log)
{
	if (!log || !*log)
		return NULL;
	if (!strncmp(log, "bpfrt: ", 7))
		return log;
	const char *p = strstr(log, "\nbpfrt: ");
	if (p)
		return p + 1;
	return log;
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && s[n - 1] == '\n')
		s[--n] = 0;
}

static void print_verdicts(const struct cli *cli, struct verdict *v, size_t n, uint32_t log_level)
{
	struct cli_json w;
	if (cli->json) {
		cli_json_init(&w, cli);
		cli_json_start_array(&w);
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i].log)
			trim(v[i].log);
		const char *sum = v[i].err ? summary_of(v[i].log) : NULL;
		if (cli->json) {
			cli_json_start_object(&w);
			cli_json_name(&w, "prog");
			cli_json_string(&w, v[i].name);
			cli_json_name(&w, "verified");
			cli_json_bool(&w, !v[i].err);
			cli_json_name(&w, "insns_processed");
			if (v[i].have_processed)
				cli_json_uint(&w, v[i].processed);
			else
				cli_json_null(&w);
			cli_json_name(&w, "error");
			if (v[i].err) {
				cli_json_string(&w, sum ? sum : cli_strerror(v[i].err));
			} else {
				cli_json_null(&w);
			}
			cli_json_name(&w, "log");
			if (log_level && v[i].log)
				cli_json_string(&w, v[i].log);
			else
				cli_json_null(&w);
			cli_json_end_object(&w);
			continue;
		}
		if (!v[i].err) {
			if (v[i].have_processed)
				printf("prog %s: verified (%" PRIu64 " insns processed)\n", v[i].name, v[i].processed);
			else
				printf("prog %s: verified\n", v[i].name);
		} else {
			printf("prog %s: rejected (%s)\n", v[i].name, cli_strerror(v[i].err));
		}
		if (log_level >= 2 && v[i].log && *v[i].log)
			printf("%s\n", v[i].log);
		else if (sum)
			printf("%s\n", sum);
	}
	if (cli->json) {
		cli_json_end_array(&w);
		cli_json_end(&w);
	}
}

static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char path[4096];
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (unlink(path))
				rm_tree(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/* Maps created, prog arrays left empty, no program loaded by the loader. */
static int verify_object(const struct cli *cli, struct bpfrt *rt, const char *path, const char *pname,
			 const char *type, uint32_t log_level, struct verdict **out, size_t *nout)
{
	char pin_root[] = "/tmp/bpfrt-verify.XXXXXX";
	const char *tmp = getenv("TMPDIR");
	char pin_buf[4096];
	snprintf(pin_buf, sizeof(pin_buf), "%s/bpfrt-verify.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *root = mkdtemp(pin_buf);
	if (!root)
		root = mkdtemp(pin_root);
	if (!root)
		return cli_error(cli, "can't create a temporary directory: %s", strerror(errno));
	struct bpfrt_object_open_opts opts = {.sz = sizeof(opts), .pin_root_path = root};
	struct bpfrt_diag diag;
	int rc = 0;
	struct bpfrt_object *obj = bpfrt_object_open_file(rt, path, &opts, &diag);
	if (!obj) {
		rc = cli_error(cli, "failed to open object file: %s", diag.msg);
		goto out;
	}
	if (pname && !bpfrt_object_find_program_by_name(obj, pname)) {
		rc = cli_error(cli, "object '%s' has no program '%s'", path, pname);
		goto out;
	}
	uint32_t t = 0;
	if (type && cli_prog_type_parse(type, &t)) {
		rc = cli_error(cli, "unrecognized program type: %s", type);
		goto out;
	}
	for (struct bpfrt_program *p = NULL; (p = bpfrt_object_next_program(obj, p));) {
		if (type)
			bpfrt_program_set_type(p, t);
		bpfrt_program_set_autoload(p, false);
	}
	/* Tail-call targets are not loaded here: keep only map-in-map slots. */
	for (uint32_t i = 0; i < obj->nmaps; i++) {
		struct bpfrt_object_map *m = obj->maps[i];
		uint32_t k = 0;
		for (uint32_t j = 0; j < m->nslots; j++)
			if (!m->slots[j].is_prog)
				m->slots[k++] = m->slots[j];
		m->nslots = k;
	}
	if (bpfrt_object_load(obj)) {
		rc = cli_error(cli, "failed to load object file: %s", bpfrt_object_error(obj));
		goto out;
	}
	size_t n = 0;
	int btf_fd = -1;
	size_t btf_size = 0;
	const void *btf_raw = obj->btf ? bpfrt_btf_raw(obj->btf, &btf_size) : NULL;
	if (btf_raw) {
		union bpf_attr ba;
		memset(&ba, 0, sizeof(ba));
		ba.btf = (uintptr_t)btf_raw;
		ba.btf_size = (uint32_t)btf_size;
		btf_fd = cli_bpf(rt, BPF_BTF_LOAD, &ba);
	}
	struct verdict *v = calloc(obj->nprogs + 1, sizeof(*v));
	if (!v) {
		rc = cli_error(cli, "out of memory");
		goto out;
	}
	for (struct bpfrt_program *p = NULL; (p = bpfrt_object_next_program(obj, p));) {
		if (pname && strcmp(bpfrt_program_name(p), pname))
			continue;
		struct verdict *cur = &v[n++];
		snprintf(cur->name, sizeof(cur->name), "%s", bpfrt_program_name(p));
		if (!p->type) {
			cur->err = -EINVAL;
			if (asprintf(&cur->log, "section '%s' gives no program type (use 'type TYPE')", p->sec_name) < 0)
				cur->log = NULL;
			continue;
		}
		int err = loader_relocate_prog(obj, p);
		if (!err)
			err = verify_insns(rt, p->type, p->attach_type, obj->license, p->insns, p->insn_cnt,
					   p->name, log_level, btf_fd, p->linfo, p->nlinfo, cur);
		if (err) {
			cur->err = err;
			cur->log = strdup(bpfrt_object_error(obj));
		}
	}
	*out = v;
	*nout = n;
	if (btf_fd >= 0)
		bpfrt_close(rt, btf_fd);
out:
	bpfrt_object_close(obj);
	rm_tree(root);
	return rc;
}

int cmd_verify(struct cli *cli, int argc, char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "help"))
		return cli_error(cli, "usage: bpfrt verify FILE [prog NAME] [type TYPE] [log_level N]");
	const char *file = argv[0], *pname = NULL, *type = NULL;
	uint64_t level = 1;
	for (int i = 1; i < argc; i++) {
		const char *kw = argv[i];
		if (i + 1 >= argc)
			return cli_error(cli, "'%s' needs an argument", kw);
		if (!strcmp(kw, "prog"))
			pname = argv[++i];
		else if (!strcmp(kw, "type"))
			type = argv[++i];
		else if (!strcmp(kw, "log_level")) {
			if (cli_parse_u64(argv[++i], &level) || level > 2)
				return cli_error(cli, "'log_level' needs 0, 1 or 2, got '%s'", argv[i]);
		} else
			return cli_error(cli, "unknown keyword '%s' (expected prog, type, log_level)", kw);
	}
	struct bpfrt *rt = cli_runtime(cli);
	if (!rt)
		return 255;
	/* Level 1 at least: the insn count and the summary come with the log. */
	uint32_t vlevel = level ? (uint32_t)level : 1;
	struct verdict *v = NULL;
	size_t n = 0;
	int rc = 0;
	if (cli_is_elf(file)) {
		rc = verify_object(cli, rt, file, pname, type, vlevel, &v, &n);
	} else {
		uint32_t t = BPF_PROG_TYPE_XDP;
		struct bpf_insn *insns = NULL;
		uint32_t cnt = 0;
		if (pname)
			rc = cli_error(cli, "'prog NAME' applies to ELF objects only");
		else if (type && cli_prog_type_parse(type, &t))
			rc = cli_error(cli, "unrecognized program type: %s", type);
		else if (cli_load_insns(cli, file, &insns, &cnt))
			rc = 255;
		if (!rc) {
			const char *base = strrchr(file, '/');
			v = calloc(1, sizeof(*v));
			if (!v || verify_insns(rt, t, 0, "GPL", insns, cnt, base ? base + 1 : file, vlevel, -1, NULL, 0, v))
				rc = cli_error(cli, "out of memory");
			else
				n = 1;
		}
		free(insns);
	}
	if (!rc) {
		print_verdicts(cli, v, n, (uint32_t)level);
		for (size_t i = 0; i < n; i++)
			if (v[i].err)
				rc = 1;
	}
	for (size_t i = 0; v && i < n; i++)
		free(v[i].log);
	free(v);
	bpfrt_free(rt);
	return rc;
}
