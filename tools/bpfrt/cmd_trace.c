/* cmd_trace.c — `bpfrt trace`: run syscall tracepoint programs (and, through
 * the extension point below, uprobes) on a real command or process and
 * print what they send to user space:
 *
 *   bpfrt [-j] trace OBJ [pinmaps DIR] [set VAR=VALUE]... -- COMMAND ARGS...
 *   bpfrt [-j] trace pinned DIR [set ...] -- COMMAND ARGS...
 *   bpfrt [-j] trace (OBJ ... | pinned DIR) pid PID
 *
 * Ring buffer and perf event array records are printed field by field with
 * the object's BTF (print_event.h says how the type is chosen), as they
 * arrive (after each traced syscall); bpf_printk lines as lines;
 * `hist*` array maps as log2 bar charts when tracing ends.  With pinmaps
 * DIR the maps stay pinned as DIR/<map> (for `bpfrt map dump pinned`), the
 * programs as DIR/.progs/<name>, and DIR/.bpfrt-trace records the object
 * and each program's section, so `trace pinned DIR` runs the same programs
 * on the same maps again.  The exit status is the command's.
 */
#define _GNU_SOURCE
#include "tools/bpfrt/cli.h"
#include "tools/bpfrt/print_event.h"

#include "bpfrt/btf.h"
#include "bpfrt/object.h"
#include "hooks/trace.h"
#include "hooks/uprobe.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/btf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OUTPUTS 16
#define MAX_SETS 32
#define MANIFEST ".bpfrt-trace"

struct trace_output {
	struct trace_cmd *tc;
	char name[BPF_OBJ_NAME_LEN + 32];
	struct bpfrt_ringbuf *rb;
	struct bpfrt_perf_buffer *pb;
};

struct trace_cmd {
	struct cli *cli;
	struct bpfrt *rt;
	struct bpfrt_object *obj;    /* OBJ, or the manifest's object for its BTF (pinned) */
	const char *objpath;
	const struct bpfrt_btf *btf; /* for printing records */
	struct bpfrt_tracer *tracer;
	struct bpfrt_uprobes *uprobes; /* uprobe/uretprobe programs, on the tracer's loop (hooks/uprobe.h) */
	struct trace_output out[MAX_OUTPUTS];
	int nout;
	int trace_fd;                /* the runtime's trace pipe (bpf_printk) */
	uint64_t events;
	struct {
		size_t size;
		uint32_t id;
	} type_cache[8];
};

static struct bpfrt_tracer *sig_tracer; /* for the SIGINT handler only */

static void on_sigint(int sig)
{
	(void)sig;
	if (sig_tracer)
		bpfrt_tracer_stop(sig_tracer);
}

/* ---- output --------------------------------------------------------- */

static uint32_t record_type(struct trace_cmd *tc, size_t size)
{
	for (int i = 0; i < 8; i++)
		if (tc->type_cache[i].size == size)
			return tc->type_cache[i].id;
	uint32_t id = print_event_type(tc->btf, size);
	for (int i = 0; i < 8; i++)
		if (!tc->type_cache[i].size) {
			tc->type_cache[i].size = size;
			tc->type_cache[i].id = id;
			break;
		}
	return id;
}

static void print_record(struct trace_output *o, const void *data, size_t size)
{
	struct trace_cmd *tc = o->tc;
	tc->events++;
	print_event(stdout, tc->btf, record_type(tc, size), o->name, data, size, tc->cli->json);
}

static int on_ringbuf(void *ctx, void *data, size_t size)
{
	print_record(ctx, data, size);
	return 0;
}

static void on_perf(void *ctx, int cpu, void *data, uint32_t size)
{
	(void)cpu;
	print_record(ctx, data, size);
}

static void on_lost(void *ctx, int cpu, uint64_t n)
{
	struct trace_output *o = ctx;
	fprintf(stderr, "bpfrt: trace: %s: lost %llu records on CPU %d\n", o->name, (unsigned long long)n, cpu);
}

/* bpf_printk lines: the kernel's trace_pipe format, printed as they are. */
static void drain_trace_pipe(struct trace_cmd *tc)
{
	if (tc->trace_fd < 0)
		return;
	char buf[4096];
	static char line[8192];
	static size_t len;
	ssize_t n;
	while ((n = read(tc->trace_fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] != '\n') {
				if (len < sizeof(line) - 1)
					line[len++] = buf[i];
				continue;
			}
			line[len] = 0;
			if (tc->cli->json) {
				fputs("{\"trace_printk\":", stdout);
				cli_json_string_to(stdout, line);
				fputs("}\n", stdout);
			} else {
				puts(line);
			}
			len = 0;
		}
	}
	fflush(stdout);
}

static void on_event(void *ctx)
{
	struct trace_cmd *tc = ctx;
	for (int i = 0; i < tc->nout; i++) {
		if (tc->out[i].rb)
			bpfrt_ringbuf_consume(tc->out[i].rb);
		if (tc->out[i].pb)
			bpfrt_perf_buffer_consume(tc->out[i].pb);
	}
	drain_trace_pipe(tc);
}

static int add_output(struct trace_cmd *tc, const char *name, uint32_t type, int fd)
{
	if (type != BPF_MAP_TYPE_RINGBUF && type != BPF_MAP_TYPE_PERF_EVENT_ARRAY)
		return 0;
	if (tc->nout >= MAX_OUTPUTS)
		return cli_error(tc->cli, "more than %d ring buffer / perf event array maps", MAX_OUTPUTS);
	struct trace_output *o = &tc->out[tc->nout];
	o->tc = tc;
	snprintf(o->name, sizeof(o->name), "%s", name);
	if (type == BPF_MAP_TYPE_RINGBUF)
		o->rb = bpfrt_ringbuf_new(tc->rt, fd, on_ringbuf, o);
	else
		o->pb = bpfrt_perf_buffer_new(tc->rt, fd, on_perf, on_lost, o);
	if (!o->rb && !o->pb)
		return cli_error(tc->cli, "can't read map '%s': %s", name, strerror(errno));
	tc->nout++;
	return 0;
}

/* ---- histograms ----------------------------------------------------- */

static int map_info(struct bpfrt *rt, int fd, struct bpf_map_info *info)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	memset(info, 0, sizeof(*info));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(*info);
	a.info.info = (uintptr_t)info;
	return cli_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a);
}

/* A `hist*` ARRAY map of u32/u64 counts: a log2 histogram, its unit named
 * by what follows "hist_" (hist_usecs -> usecs). */
static void print_hist_map(struct trace_cmd *tc, const char *name, int fd)
{
	struct bpf_map_info info;
	if (strncmp(name, "hist", 4) || map_info(tc->rt, fd, &info) || info.type != BPF_MAP_TYPE_ARRAY ||
	    info.key_size != 4 || (info.value_size != 4 && info.value_size != 8) || info.max_entries > 128)
		return;
	uint64_t counts[128] = {0};
	for (uint32_t k = 0; k < info.max_entries; k++) {
		uint64_t v = 0;
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.map_fd = (uint32_t)fd, a.key = (uintptr_t)&k, a.value = (uintptr_t)&v;
		if (!cli_bpf(tc->rt, BPF_MAP_LOOKUP_ELEM, &a))
			counts[k] = info.value_size == 4 ? (uint32_t)v : v;
	}
	const char *unit = name[4] == '_' && name[5] ? name + 5 : "value";
	if (!tc->cli->json)
		printf("\n%s:\n", name);
	else
		printf("{\"histogram\":\"%s\",\"data\":", name);
	print_log2_hist(stdout, counts, info.max_entries, unit, tc->cli->json);
	if (tc->cli->json)
		printf("}\n");
}

/* ---- globals (set VAR=VALUE) ---------------------------------------- */

/* Parse VALUE into a variable of BTF type id at dst (size bytes): numbers
 * for ints/enums/bools, a string for char[N], a comma-separated list of
 * strings for char[M][N]. */
static int parse_global(const struct bpfrt_btf *btf, uint32_t id, const char *value, uint8_t *dst, size_t size,
			char *err, size_t errlen)
{
	const struct btf_type *t = bpfrt_btf_skip_mods(btf, id, NULL);
	if (!t)
		goto bad;
	uint32_t kind = BTF_INFO_KIND(t->info);
	if (kind == BTF_KIND_INT || kind == BTF_KIND_ENUM || kind == BTF_KIND_ENUM64) {
		char *end;
		errno = 0;
		long long v = strtoll(value, &end, 0);
		if (!strcmp(value, "true"))
			v = 1, end = (char *)value + 4;
		else if (!strcmp(value, "false"))
			v = 0, end = (char *)value + 5;
		if (errno || *end || !*value) {
			snprintf(err, errlen, "'%s' is not a number", value);
			return -EINVAL;
		}
		memcpy(dst, &v, size < 8 ? size : 8);
		return 0;
	}
	if (kind != BTF_KIND_ARRAY)
		goto bad;
	const struct btf_array *a = (const struct btf_array *)(t + 1);
	const struct btf_type *et = bpfrt_btf_skip_mods(btf, a->type, NULL);
	if (et && BTF_INFO_KIND(et->info) == BTF_KIND_INT && et->size == 1) {
		if (strlen(value) >= a->nelems) {
			snprintf(err, errlen, "'%s' does not fit in char[%u]", value, a->nelems);
			return -E2BIG;
		}
		memset(dst, 0, size);
		memcpy(dst, value, strlen(value));
		return 0;
	}
	if (et && BTF_INFO_KIND(et->info) == BTF_KIND_ARRAY) {
		int64_t esz = bpfrt_btf_resolve_size(btf, a->type);
		memset(dst, 0, size);
		const char *p = value;
		for (uint32_t i = 0; *p; i++) {
			size_t n = strcspn(p, ",");
			if (i >= a->nelems) {
				snprintf(err, errlen, "more than %u items in '%s'", a->nelems, value);
				return -E2BIG;
			}
			char item[4096];
			snprintf(item, sizeof(item), "%.*s", (int)n, p);
			int r = parse_global(btf, a->type, item, dst + (size_t)esz * i, (size_t)esz, err, errlen);
			if (r)
				return r;
			p += n;
			if (*p == ',')
				p++;
		}
		return 0;
	}
bad:
	snprintf(err, errlen, "type of the variable is not a number, char array or array of char arrays");
	return -EINVAL;
}

/* The offset of global `var` in ELF section `sec` of the object file at
 * path, from its symbol table: clang leaves the variables' offsets in
 * DATASEC records 0 (libbpf fills them from the symbols too).  -1 if not
 * found. */
static int64_t symbol_offset(const char *path, const char *sec, const char *var)
{
	uint8_t *d;
	size_t n;
	int64_t found = -1;
	if (cli_read_file(path, &d, &n))
		return -1;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)d;
	if (n < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shoff > n ||
	    (uint64_t)eh->e_shnum * sizeof(Elf64_Shdr) > n - eh->e_shoff || eh->e_shstrndx >= eh->e_shnum)
		goto out;
	const Elf64_Shdr *sh = (const Elf64_Shdr *)(d + eh->e_shoff);
	const Elf64_Shdr *names = &sh[eh->e_shstrndx];
	if (names->sh_offset > n || names->sh_size > n - names->sh_offset)
		goto out;
	int secidx = -1;
	for (int i = 0; i < eh->e_shnum; i++)
		if (sh[i].sh_name < names->sh_size &&
		    !strncmp((const char *)d + names->sh_offset + sh[i].sh_name, sec, names->sh_size - sh[i].sh_name) &&
		    strlen(sec) < names->sh_size - sh[i].sh_name)
			secidx = i;
	for (int i = 0; secidx >= 0 && i < eh->e_shnum; i++) {
		if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum || sh[i].sh_offset > n ||
		    sh[i].sh_size > n - sh[i].sh_offset)
			continue;
		const Elf64_Shdr *str = &sh[sh[i].sh_link];
		if (str->sh_offset > n || str->sh_size > n - str->sh_offset)
			continue;
		const Elf64_Sym *sym = (const Elf64_Sym *)(d + sh[i].sh_offset);
		for (size_t k = 0; k < sh[i].sh_size / sizeof(*sym); k++) {
			if (sym[k].st_shndx != secidx || sym[k].st_name >= str->sh_size)
				continue;
			const char *nm = (const char *)d + str->sh_offset + sym[k].st_name;
			if (!strncmp(nm, var, str->sh_size - sym[k].st_name) && strlen(var) < str->sh_size - sym[k].st_name)
				found = (int64_t)sym[k].st_value;
		}
	}
out:
	free(d);
	return found;
}

/* set NAME=VALUE: find NAME among the global data sections' variables. */
static int set_global(struct trace_cmd *tc, const char *assign)
{
	const char *eq = strchr(assign, '=');
	if (!eq || eq == assign)
		return cli_error(tc->cli, "'set' needs VAR=VALUE, got '%s'", assign);
	char name[256];
	snprintf(name, sizeof(name), "%.*s", (int)(eq - assign), assign);
	const struct bpfrt_btf *btf = bpfrt_object_btf(tc->obj);
	uint32_t n = btf ? bpfrt_btf_type_cnt(btf) : 0;
	for (uint32_t id = 1; id < n; id++) {
		const struct btf_type *ds = bpfrt_btf_type_by_id(btf, id);
		if (BTF_INFO_KIND(ds->info) != BTF_KIND_DATASEC)
			continue;
		const char *sec = bpfrt_btf_str(btf, ds->name_off);
		const struct btf_var_secinfo *vs = (const struct btf_var_secinfo *)(ds + 1);
		for (uint32_t i = 0; i < BTF_INFO_VLEN(ds->info); i++) {
			const struct btf_type *v = bpfrt_btf_type_by_id(btf, vs[i].type);
			if (!v || strcmp(bpfrt_btf_str(btf, v->name_off), name))
				continue;
			/* The global data map of section sec: its name ends with it. */
			struct bpfrt_object_map *m = NULL;
			for (struct bpfrt_object_map *it = NULL; (it = bpfrt_object_next_map(tc->obj, it));) {
				const char *mn = bpfrt_object_map_name(it);
				size_t ml = strlen(mn), sl = strlen(sec);
				if (ml >= sl && !strcmp(mn + ml - sl, sec))
					m = it;
			}
			size_t size;
			uint8_t *data = m ? bpfrt_object_map_initial_value(m, &size) : NULL;
			int64_t off = symbol_offset(tc->objpath, sec, name);
			int64_t vsize = bpfrt_btf_resolve_size(btf, v->type);
			if (!data || off < 0 || vsize <= 0 || (uint64_t)off + (uint64_t)vsize > size)
				return cli_error(tc->cli, "variable '%s' of section %s can't be set", name, sec);
			char err[256];
			if (parse_global(btf, v->type, eq + 1, data + off, (size_t)vsize, err, sizeof(err)))
				return cli_error(tc->cli, "set %s: %s", name, err);
			return 0;
		}
	}
	return cli_error(tc->cli, "the object has no global variable '%s'", name);
}

/* ---- programs ------------------------------------------------------- */

/* Attach one program by its section.  Uprobes (uprobe/, uretprobe/) and
 * USDT probes (usdt/) go to the uprobe set (src/hooks/uprobe.h), which
 * rides on the tracer's loop through bpfrt_tracer_opts.ext. */
static int attach_prog(struct trace_cmd *tc, int fd, const char *name, const char *sec, int *attached)
{
	enum bpfrt_trace_point pt;
	int nr;
	char err[512];
	struct bpfrt_uprobe_spec us;
	int r = bpfrt_uprobe_parse_sec(sec, &us, err, sizeof(err));
	/* A bare uprobe/usdt section is attached by code in libbpf's model:
	 * nothing here says where, so it is left out, with a word. */
	if (r == 1) {
		fprintf(stderr, "Warning: program '%s' (section '%s') names no PATH:FUNC; not attached\n", name, sec);
		return 0;
	}
	if (r == 0 && (r = bpfrt_uprobes_add(tc->uprobes, fd, &us, 0, err, sizeof(err))) == 0)
		(*attached)++;
	if (r != -ENOENT)
		return r ? cli_error(tc->cli, "program '%s': %s", name, err) : 0;
	r = bpfrt_uprobes_add_usdt(tc->uprobes, fd, sec, 0, err, sizeof(err));
	if (r == 1) {
		fprintf(stderr, "Warning: program '%s' (section '%s') names no PATH:PROVIDER:NAME; not attached\n", name, sec);
		return 0;
	}
	if (r == 0)
		(*attached)++;
	if (r != -ENOENT)
		return r ? cli_error(tc->cli, "program '%s': %s", name, err) : 0;
	r = bpfrt_trace_parse_sec(sec, &pt, &nr, err, sizeof(err));
	if (r == -ENOENT)
		return cli_error(tc->cli, "program '%s': section '%s' is not a syscall tracepoint; bpfrt trace runs tracepoint/syscalls/sys_{enter,exit}_<name> and raw_tracepoint/sys_{enter,exit} programs",
				 name, sec);
	if (r)
		return cli_error(tc->cli, "program '%s': %s", name, err);
	r = bpfrt_tracer_attach(tc->tracer, fd, pt, nr);
	if (r)
		return cli_error(tc->cli, "program '%s' (%s): can't attach: %s", name, sec, cli_strerror(-r));
	(*attached)++;
	return 0;
}

static int write_manifest(struct trace_cmd *tc, const char *dir, const char *objpath)
{
	char path[PATH_MAX], progs[PATH_MAX], abs[PATH_MAX];
	snprintf(progs, sizeof(progs), "%s/.progs", dir);
	if (mkdir(progs, 0700) && errno != EEXIST)
		return cli_error(tc->cli, "can't create directory '%s': %s", progs, strerror(errno));
	snprintf(path, sizeof(path), "%s/" MANIFEST, dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return cli_error(tc->cli, "can't write '%s': %s", path, strerror(errno));
	fprintf(f, "object %s\n", realpath(objpath, abs) ? abs : objpath);
	for (struct bpfrt_program *p = NULL; (p = bpfrt_object_next_program(tc->obj, p));) {
		char pin[sizeof(progs) + 512];
		snprintf(pin, sizeof(pin), "%s/%.500s", progs, bpfrt_program_name(p));
		unlink(pin);
		union bpf_attr a;
		memset(&a, 0, sizeof(a));
		a.bpf_fd = (uint32_t)bpfrt_program_fd(p);
		a.pathname = (uintptr_t)pin;
		if (cli_bpf(tc->rt, BPF_OBJ_PIN, &a)) {
			fclose(f);
			return cli_error(tc->cli, "can't pin program at '%s': %s", pin, strerror(errno));
		}
		fprintf(f, "prog %s %s\n", bpfrt_program_section_name(p), bpfrt_program_name(p));
	}
	fclose(f);
	return 0;
}

static int open_object(struct trace_cmd *tc, const char *path, const char *pinmaps, char **sets, int nsets)
{
	struct bpfrt_diag diag;
	tc->objpath = path;
	tc->obj = bpfrt_object_open_file(tc->rt, path, NULL, &diag);
	if (!tc->obj)
		return cli_error(tc->cli, "failed to open object file '%s': %s", path, diag.msg);
	for (int i = 0; i < nsets; i++)
		if (set_global(tc, sets[i]))
			return 255;
	if (bpfrt_object_load(tc->obj))
		return cli_error(tc->cli, "failed to load object file '%s': %s", path, bpfrt_object_error(tc->obj));
	tc->btf = bpfrt_object_btf(tc->obj);
	int attached = 0;
	for (struct bpfrt_program *p = NULL; (p = bpfrt_object_next_program(tc->obj, p));)
		if (attach_prog(tc, bpfrt_program_fd(p), bpfrt_program_name(p), bpfrt_program_section_name(p), &attached))
			return 255;
	if (!attached)
		return cli_error(tc->cli, "object '%s' has no programs", path);
	for (struct bpfrt_object_map *m = NULL; (m = bpfrt_object_next_map(tc->obj, m));)
		if (add_output(tc, bpfrt_object_map_name(m), bpfrt_object_map_type(m), bpfrt_object_map_fd(m)))
			return 255;
	if (pinmaps) {
		if (mkdir(pinmaps, 0700) && errno != EEXIST)
			return cli_error(tc->cli, "can't create directory '%s': %s", pinmaps, strerror(errno));
		/* Pins of an earlier run are replaced. */
		for (struct bpfrt_object_map *m = NULL; (m = bpfrt_object_next_map(tc->obj, m));) {
			char pin[PATH_MAX];
			snprintf(pin, sizeof(pin), "%s/%s", pinmaps, bpfrt_object_map_name(m));
			unlink(pin);
		}
		if (bpfrt_object_pin_maps(tc->obj, pinmaps))
			return cli_error(tc->cli, "can't pin maps in '%s': %s", pinmaps, strerror(errno));
		if (write_manifest(tc, pinmaps, path))
			return 255;
	}
	return 0;
}

static int obj_get(struct trace_cmd *tc, const char *path)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)path;
	return cli_bpf(tc->rt, BPF_OBJ_GET, &a);
}

/* pinned DIR: the programs and maps a `trace OBJ pinmaps DIR` left. */
static int open_pinned(struct trace_cmd *tc, const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/" MANIFEST, dir);
	FILE *f = fopen(path, "r");
	if (!f)
		return cli_error(tc->cli, "'%s' holds no traced programs (no %s: pin them with 'bpfrt trace OBJ pinmaps %s -- ...')",
				 dir, MANIFEST, dir);
	char line[PATH_MAX + 64], sec[256], name[256];
	int attached = 0, rc = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "object ", 7)) {
			/* Only for its BTF (record types); a missing file is fine. */
			tc->obj = bpfrt_object_open_file(tc->rt, line + 7, NULL, NULL);
			tc->btf = tc->obj ? bpfrt_object_btf(tc->obj) : NULL;
		} else if (sscanf(line, "prog %255s %255s", sec, name) == 2) {
			snprintf(path, sizeof(path), "%s/.progs/%s", dir, name);
			int fd = obj_get(tc, path);
			if (fd < 0)
				rc = cli_error(tc->cli, "can't open pinned program '%s': %s", path, strerror(errno));
			else
				rc = attach_prog(tc, fd, name, sec, &attached);
		}
	}
	fclose(f);
	if (rc)
		return rc;
	if (!attached)
		return cli_error(tc->cli, "'%s' holds no traced programs", dir);
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		int fd = obj_get(tc, path);
		struct bpf_map_info info;
		if (fd >= 0 && !map_info(tc->rt, fd, &info) && add_output(tc, de->d_name, info.type, fd)) {
			closedir(d);
			return 255;
		}
	}
	if (d)
		closedir(d);
	return 0;
}

static void print_hists(struct trace_cmd *tc, const char *pinned)
{
	if (tc->obj && !pinned) {
		for (struct bpfrt_object_map *m = NULL; (m = bpfrt_object_next_map(tc->obj, m));)
			print_hist_map(tc, bpfrt_object_map_name(m), bpfrt_object_map_fd(m));
		return;
	}
	DIR *d = pinned ? opendir(pinned) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", pinned, de->d_name);
		int fd = de->d_name[0] == '.' ? -1 : obj_get(tc, path);
		if (fd >= 0)
			print_hist_map(tc, de->d_name, fd);
	}
	if (d)
		closedir(d);
}

/* ---- the command ---------------------------------------------------- */

static int usage_error(struct cli *cli, const char *what)
{
	return cli_error(cli, "%s; usage: bpfrt trace (OBJ [pinmaps DIR] | pinned DIR) [set VAR=VALUE]... (-- COMMAND ARGS... | pid PID)",
			 what);
}

int cmd_trace(struct cli *cli, int argc, char **argv)
{
	if (argc < 1)
		return usage_error(cli, "'trace' needs an object");
	const char *objpath = NULL, *pinned = NULL, *pinmaps = NULL;
	char *sets[MAX_SETS];
	int nsets = 0, i = 0;
	long pid = 0;
	if (!strcmp(argv[0], "pinned")) {
		if (argc < 2)
			return usage_error(cli, "'pinned' needs a DIR");
		pinned = argv[1];
		i = 2;
	} else {
		objpath = argv[0];
		i = 1;
	}
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "pinmaps") && i + 1 < argc && objpath)
			pinmaps = argv[++i];
		else if (!strcmp(argv[i], "set") && i + 1 < argc && nsets < MAX_SETS)
			sets[nsets++] = argv[++i];
		else if (!strcmp(argv[i], "pid") && i + 1 < argc) {
			char *end;
			pid = strtol(argv[++i], &end, 10);
			if (*end || pid <= 0)
				return cli_error(cli, "invalid pid '%s'", argv[i]);
		} else {
			char what[300];
			snprintf(what, sizeof(what), "unknown or incomplete keyword '%.200s' (a command goes after '--')", argv[i]);
			return usage_error(cli, what);
		}
	}
	bool has_cmd = i < argc;
	if (!has_cmd && !pid)
		return usage_error(cli, "expected '-- COMMAND ARGS...' or 'pid PID'");
	if (has_cmd && pid)
		return usage_error(cli, "give either '-- COMMAND' or 'pid PID', not both");
	if (has_cmd && i + 1 >= argc)
		return usage_error(cli, "no COMMAND after '--'");
	if (pinned && nsets)
		return cli_error(cli, "'set' changes an object before it is loaded; 'pinned' programs are loaded already");
	if (objpath && access(objpath, R_OK))
		return cli_error(cli, "can't open object '%s': %s", objpath, strerror(errno));

	struct trace_cmd tc = {.cli = cli, .trace_fd = -1};
	tc.rt = cli_runtime(cli);
	if (!tc.rt)
		return 255;
	tc.uprobes = bpfrt_uprobes_new(tc.rt);
	struct bpfrt_tracer_opts to = {.sz = sizeof(to), .on_event = on_event, .ctx = &tc,
				       .ext = {.ctx = tc.uprobes,
					       .on_exec = bpfrt_uprobes_ext_on_exec,
					       .on_sigtrap = bpfrt_uprobes_ext_on_sigtrap}};
	tc.tracer = tc.uprobes ? bpfrt_tracer_new(tc.rt, &to) : NULL;
	int rc = tc.tracer ? 0 : cli_error(cli, "can't create the tracer: %s", strerror(errno));
	if (!rc)
		rc = pinned ? open_pinned(&tc, pinned) : open_object(&tc, objpath, pinmaps, sets, nsets);
	if (!rc && pid && bpfrt_uprobes_count(tc.uprobes))
		rc = cli_error(cli, "uprobes are put into a command bpfrt starts ('-- COMMAND'); for a running process use the in-process agent (docs/uprobes.md)");
	if (!rc) {
		int fd = bpfrt_trace_pipe_fd(tc.rt);
		tc.trace_fd = fd >= 0 ? fd : -1;
	}
	char err[512] = "";
	if (!rc) {
		int r = has_cmd ? bpfrt_tracer_spawn(tc.tracer, argv + i + 1, err, sizeof(err))
				: bpfrt_tracer_seize(tc.tracer, (pid_t)pid, err, sizeof(err));
		if (r)
			rc = cli_error(cli, "%s", err);
	}
	if (!rc) {
		sig_tracer = tc.tracer;
		struct sigaction sa = {.sa_handler = on_sigint}, old;
		sigaction(SIGINT, &sa, &old);
		int status = 0;
		int r = bpfrt_tracer_run(tc.tracer, &status, err, sizeof(err));
		sigaction(SIGINT, &old, NULL);
		sig_tracer = NULL;
		on_event(&tc);
		if (r) {
			rc = cli_error(cli, "%s: %s", argv[i + 1 < argc ? i + 1 : 0], err);
		} else {
			print_hists(&tc, pinned ? pinned : NULL);
			rc = status;
		}
		if (cli->debug) {
			struct bpfrt_trace_stats st;
			bpfrt_tracer_stats(tc.tracer, &st);
			fprintf(stderr, "bpfrt: trace: %llu stops, %llu program runs (%llu faulted), %llu denied, %llu signals, %llu threads, %llu records\n",
				(unsigned long long)st.stops, (unsigned long long)st.runs, (unsigned long long)st.errors,
				(unsigned long long)st.denied, (unsigned long long)st.signals, (unsigned long long)st.tasks,
				(unsigned long long)tc.events);
		}
	}
	for (int k = 0; k < tc.nout; k++) {
		bpfrt_ringbuf_free(tc.out[k].rb);
		bpfrt_perf_buffer_free(tc.out[k].pb);
	}
	bpfrt_tracer_free(tc.tracer);
	bpfrt_uprobes_free(tc.uprobes);
	if (tc.obj)
		bpfrt_object_close(tc.obj);
	bpfrt_free(tc.rt);
	return rc;
}
