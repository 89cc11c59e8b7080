/* uprobe.c — uprobes and uretprobes through ptrace breakpoints (uprobe.h):
 * resolving each probe to an address in the tracee (file offset from the
 * ELF symbols, mapping from /proc/PID/maps), inserting int3 bytes, and on a
 * trap running the programs with the tracee's registers as struct pt_regs,
 * then stepping over the displaced instruction.
 *
 * Invariants: a breakpoint's original byte is saved once when first
 * inserted, whatever number of probes share the address; the int3 is absent
 * from memory only between "restore" and "re-insert" of one step-over, with
 * the tracer holding the stopped thread.  The shadow stack of return
 * addresses holds, per thread, the frames whose return address was swapped
 * for the trampoline, innermost last.
 */
#define _GNU_SOURCE
#include "hooks/uprobe.h"

#include "bpfrt/object.h"
#include "core/prog.h"
#include "hooks/elf_sym.h"
#include "hooks/usdt.h"

#include <errno.h>
#include <linux/bpf.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define INT3 0xccu

/* The kernel's x86-64 struct pt_regs is the first 21 words of ptrace's
 * struct user_regs_struct, in the same order (r15 ... ss). */
#define PT_REGS_WORDS 21
_Static_assert(offsetof(struct user_regs_struct, ss) == 20 * 8, "user_regs_struct layout");

struct uprobe {
	struct bpfrt_prog *prog;    /* one reference */
	struct bpfrt_uprobe_spec spec;
	uint64_t cookie;
	char file[PATH_MAX];        /* resolved file once attached ("" before) */
	uint64_t addr;              /* its address in the tracee; 0 until inserted */
};

struct breakpoint {
	uint64_t addr;
	uint8_t orig;
};

struct ret_frame {
	pid_t tid;
	uint64_t sp;       /* where the return address was (rsp at entry) */
	uint64_t ret;      /* the real return address */
	size_t probe;      /* index into probes */
};

/* What the helpers need to know about a thread, read from /proc once per
 * thread (its comm and ids rarely change while a probe runs). */
struct task_cache {
	pid_t tid;
	struct bpfrt_task task;
};

struct usdt_req {
	struct bpfrt_prog *prog; /* one reference */
	char path[PATH_MAX], provider[128], name[128];
	uint64_t cookie;
	bool done;
};

struct bpfrt_uprobes {
	struct bpfrt *rt;
	pid_t pid;
	bool attached;         /* breakpoints are in the first exec'd image */
	struct task_cache *tasks;
	size_t nr_tasks, cap_tasks;
	struct uprobe *probes;
	size_t nr, cap;
	struct breakpoint *bps;
	size_t nr_bps, cap_bps;
	uint64_t tramp;        /* entry point: uretprobe trampoline and "libraries mapped" mark */
	bool tramp_inserted, libs_done;
	struct ret_frame *frames;
	size_t nr_frames, cap_frames;
	struct usdt_req *usdts;  /* USDT probes, expanded into probes when their file is mapped */
	size_t nr_usdts, cap_usdts;
	uint32_t next_spec;      /* next __bpf_usdt_specs index */
	struct bpfrt_uprobe_stats stats;
};

static int fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
	if (err && errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool grow(void **buf, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return true;
	size_t n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	void *p = realloc(*buf, n * elem);
	if (!p)
		return false;
	*buf = p;
	*cap = n;
	return true;
}

/* ---- section names ------------------------------------------------------ */

static const char *const sec_kinds[][2] = {
	/* prefix, "r" for return probes */
	{"uprobe.s", ""}, {"uretprobe.s", "r"}, {"uprobe", ""}, {"uretprobe", "r"},
};

int bpfrt_uprobe_parse_sec(const char *sec, struct bpfrt_uprobe_spec *spec, char *err, size_t errlen)
{
	memset(spec, 0, sizeof(*spec));
	const char *rest = NULL;
	for (size_t i = 0; i < sizeof(sec_kinds) / sizeof(sec_kinds[0]); i++) {
		size_t n = strlen(sec_kinds[i][0]);
		if (!strncmp(sec, sec_kinds[i][0], n) && (sec[n] == 0 || sec[n] == '/')) {
			spec->retprobe = sec_kinds[i][1][0] == 'r';
			rest = sec[n] ? sec + n + 1 : "";
			break;
		}
	}
	if (!rest)
		return fail(err, errlen, -ENOENT, "section '%s' is not a uprobe section", sec);
	if (!*rest)
		return 1;
	/* PATH:FUNC[+OFFSET] or PATH:OFFSET; the last ':' separates, so a
	 * path may hold ':' itself. */
	const char *colon = strrchr(rest, ':');
	if (!colon || colon == rest)
		return fail(err, errlen, -EINVAL, "section '%s': expected uprobe/PATH:FUNC[+OFFSET] or uprobe/PATH:OFFSET",
			    sec);
	size_t plen = (size_t)(colon - rest);
	if (plen >= sizeof(spec->path))
		return fail(err, errlen, -EINVAL, "section '%s': path too long", sec);
	memcpy(spec->path, rest, plen);
	const char *f = colon + 1;
	if (!*f)
		return fail(err, errlen, -EINVAL, "section '%s': no function after ':'", sec);
	char *end;
	if (*f >= '0' && *f <= '9') {
		errno = 0;
		spec->offset = strtoull(f, &end, 0);
		if (*end || errno)
			return fail(err, errlen, -EINVAL, "section '%s': bad offset '%s'", sec, f);
		return 0;
	}
	const char *plus = strchr(f, '+');
	size_t flen = plus ? (size_t)(plus - f) : strlen(f);
	if (!flen || flen >= sizeof(spec->func))
		return fail(err, errlen, -EINVAL, "section '%s': bad function name", sec);
	for (size_t i = 0; i < flen; i++) {
		char c = f[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '.' || c == '@'))
			return fail(err, errlen, -EINVAL, "section '%s': bad character '%c' in function name", sec, c);
	}
	memcpy(spec->func, f, flen);
	if (plus) {
		errno = 0;
		spec->offset = strtoull(plus + 1, &end, 0);
		if (!plus[1] || *end || errno)
			return fail(err, errlen, -EINVAL, "section '%s': bad offset after '+'", sec);
		if (spec->retprobe && spec->offset)
			return fail(err, errlen, -EINVAL, "section '%s': a uretprobe takes no offset (it is the function's return)", sec);
	}
	return 0;
}

/* ---- the set ------------------------------------------------------------ */

struct bpfrt_uprobes *bpfrt_uprobes_new(struct bpfrt *rt)
{
	struct bpfrt_uprobes *u = calloc(1, sizeof(*u));
	if (u)
		u->rt = rt;
	return u;
}

void bpfrt_uprobes_free(struct bpfrt_uprobes *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nr; i++)
		bpfrt_obj_put(&u->probes[i].prog->obj);
	free(u->probes);
	free(u->bps);
	free(u->frames);
	free(u->tasks);
	for (size_t i = 0; i < u->nr_usdts; i++)
		bpfrt_obj_put(&u->usdts[i].prog->obj);
	free(u->usdts);
	free(u);
}

size_t bpfrt_uprobes_count(const struct bpfrt_uprobes *u)
{
	return u->nr + u->nr_usdts;
}

void bpfrt_uprobes_stats(const struct bpfrt_uprobes *u, struct bpfrt_uprobe_stats *out)
{
	*out = u->stats;
}

int bpfrt_uprobes_add(struct bpfrt_uprobes *u, int prog_fd, const struct bpfrt_uprobe_spec *spec, uint64_t cookie,
		      char *err, size_t errlen)
{
	int e = 0;
	struct bpfrt_obj *o = bpfrt_fd_get(u->rt, prog_fd, BPFRT_OBJ_PROG, &e);
	if (!o)
		return fail(err, errlen, e, "prog fd %d: not a program", prog_fd);
	struct bpfrt_prog *p = bpfrt_prog_from_obj(o);
	if (p->type != BPF_PROG_TYPE_KPROBE) {
		bpfrt_obj_put(o);
		return fail(err, errlen, -EINVAL, "prog '%s': a uprobe runs KPROBE programs (this one has type %u)",
			    p->name, p->type);
	}
	if (!grow((void **)&u->probes, &u->cap, u->nr + 1, sizeof(*u->probes))) {
		bpfrt_obj_put(o);
		return fail(err, errlen, -ENOMEM, "out of memory");
	}
	struct uprobe *pr = &u->probes[u->nr++];
	memset(pr, 0, sizeof(*pr));
	pr->prog = p;
	pr->spec = *spec;
	pr->cookie = cookie;
	return 0;
}

int bpfrt_uprobes_add_usdt(struct bpfrt_uprobes *u, int prog_fd, const char *sec, uint64_t cookie, char *err,
			   size_t errlen)
{
	struct usdt_req q = {.cookie = cookie};
	int r = bpfrt_usdt_parse_sec(sec, q.path, sizeof(q.path), q.provider, sizeof(q.provider), q.name,
				     sizeof(q.name), err, errlen);
	if (r)
		return r;
	int e = 0;
	struct bpfrt_obj *o = bpfrt_fd_get(u->rt, prog_fd, BPFRT_OBJ_PROG, &e);
	if (!o)
		return fail(err, errlen, e, "prog fd %d: not a program", prog_fd);
	q.prog = bpfrt_prog_from_obj(o);
	if (q.prog->type != BPF_PROG_TYPE_KPROBE || !grow((void **)&u->usdts, &u->cap_usdts, u->nr_usdts + 1,
								sizeof(*u->usdts))) {
		bpfrt_obj_put(o);
		return fail(err, errlen, q.prog->type != BPF_PROG_TYPE_KPROBE ? -EINVAL : -ENOMEM,
			    "prog '%s': a USDT probe runs a KPROBE program", q.prog->name);
	}
	u->usdts[u->nr_usdts++] = q;
	return 0;
}

int bpfrt_uprobes_add_object(struct bpfrt_uprobes *u, struct bpfrt_object *obj, char *err, size_t errlen)
{
	int added = 0;
	for (struct bpfrt_program *p = bpfrt_object_next_program(obj, NULL); p; p = bpfrt_object_next_program(obj, p)) {
		struct bpfrt_uprobe_spec spec;
		const char *sec = bpfrt_program_section_name(p);
		int r = bpfrt_uprobe_parse_sec(sec, &spec, err, errlen);
		if (r == -ENOENT && bpfrt_program_fd(p) >= 0) {
			r = bpfrt_uprobes_add_usdt(u, bpfrt_program_fd(p), sec, 0, err, errlen);
			if (r < 0 && r != -ENOENT)
				return r;
			added += r == 0;
			continue;
		}
		if (r == -ENOENT || r == 1)
			continue;
		if (r < 0)
			return r;
		if (bpfrt_program_fd(p) < 0)
			continue;
		r = bpfrt_uprobes_add(u, bpfrt_program_fd(p), &spec, 0, err, errlen);
		if (r < 0)
			return r;
		added++;
	}
	return added;
}

/* ---- tracee memory -------------------------------------------------------- */

static int peek_word(pid_t tid, uint64_t addr, uint64_t *w)
{
	errno = 0;
	long v = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)addr, NULL);
	if (errno)
		return -errno;
	*w = (uint64_t)v;
	return 0;
}

/* Replace one byte of text at addr; *old gets the previous one. */
static int poke_byte(pid_t tid, uint64_t addr, uint8_t byte, uint8_t *old)
{
	uint64_t base = addr & ~7ull, w;
	int r = peek_word(tid, base, &w);
	if (r)
		return r;
	unsigned shift = (unsigned)(addr - base) * 8;
	if (old)
		*old = (uint8_t)(w >> shift);
	w = (w & ~(0xffull << shift)) | ((uint64_t)byte << shift);
	if (ptrace(PTRACE_POKEDATA, tid, (void *)(uintptr_t)base, (void *)(uintptr_t)w))
		return -errno;
	return 0;
}

static struct breakpoint *bp_find(struct bpfrt_uprobes *u, uint64_t addr)
{
	for (size_t i = 0; i < u->nr_bps; i++)
		if (u->bps[i].addr == addr)
			return &u->bps[i];
	return NULL;
}

static int bp_insert(struct bpfrt_uprobes *u, uint64_t addr)
{
	if (bp_find(u, addr))
		return 0;
	if (!grow((void **)&u->bps, &u->cap_bps, u->nr_bps + 1, sizeof(*u->bps)))
		return -ENOMEM;
	uint8_t orig;
	int r = poke_byte(u->pid, addr, INT3, &orig);
	if (r)
		return r;
	u->bps[u->nr_bps++] = (struct breakpoint){.addr = addr, .orig = orig};
	return 0;
}

/* ---- where files are mapped ---------------------------------------------- */

struct mapping {
	uint64_t start, end, pgoff;
	char path[PATH_MAX];
};

/* Find the executable mapping of the file (dev, ino) — or, with name set,
 * of a file whose base name is name — that holds file offset off. */
static bool find_mapping(pid_t pid, const struct stat *st, const char *name, uint64_t off, struct mapping *out)
{
	char mpath[64];
	snprintf(mpath, sizeof(mpath), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(mpath, "re");
	if (!f)
		return false;
	char line[PATH_MAX + 128];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned long long start, end, pgoff, ino;
		unsigned maj, min;
		char perms[8];
		int pos = 0;
		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu %n", &start, &end, perms, &pgoff, &maj, &min, &ino, &pos) < 7)
			continue;
		if (perms[2] != 'x' || !ino)
			continue;
		char *path = line + pos;
		path[strcspn(path, "\n")] = 0;
		if (name) {
			const char *base = strrchr(path, '/');
			if (strcmp(base ? base + 1 : path, name))
				continue;
		} else if (ino != st->st_ino || makedev(maj, min) != st->st_dev) {
			continue;
		}
		if (off < pgoff || off >= pgoff + (end - start))
			continue;
		out->start = start;
		out->end = end;
		out->pgoff = pgoff;
		snprintf(out->path, sizeof(out->path), "%s", path);
		found = true;
	}
	fclose(f);
	return found;
}

/* The file a spec names, for process pid. */
static int spec_file(pid_t pid, const struct bpfrt_uprobe_spec *s, char *out, size_t n, bool *by_name)
{
	*by_name = false;
	if (!s->path[0] || !strcmp(s->path, "/proc/self/exe")) {
		char link[64];
		snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
		ssize_t len = readlink(link, out, n - 1);
		if (len < 0)
			return -errno;
		out[len] = 0;
		return 0;
	}
	if (!strchr(s->path, '/')) {
		*by_name = true;
		snprintf(out, n, "%s", s->path);
		return 0;
	}
	snprintf(out, n, "%s", s->path);
	return 0;
}

/* The full path of a mapped file whose base name is name, into out. */
static bool find_by_name(pid_t pid, const char *name, char *out, size_t n)
{
	char mpath[64], line[PATH_MAX + 128];
	snprintf(mpath, sizeof(mpath), "/proc/%d/maps", (int)pid);
	FILE *f = fopen(mpath, "re");
	bool any = false;
	while (f && !any && fgets(line, sizeof(line), f)) {
		char *path = strchr(line, '/');
		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		if (!strcmp(strrchr(path, '/') + 1, name)) {
			snprintf(out, n, "%s", path);
			any = true;
		}
	}
	if (f)
		fclose(f);
	return any;
}

int bpfrt_uprobe_find_file(pid_t pid, const char *path, char *out, size_t n)
{
	struct bpfrt_uprobe_spec s;
	memset(&s, 0, sizeof(s));
	snprintf(s.path, sizeof(s.path), "%s", path);
	bool by_name;
	int r = spec_file(pid, &s, out, n, &by_name);
	if (r)
		return r;
	if (!by_name)
		return 1;
	char name[PATH_MAX];
	snprintf(name, sizeof(name), "%s", out);
	return find_by_name(pid, name, out, n) ? 1 : 0;
}

int bpfrt_uprobe_resolve(pid_t pid, const struct bpfrt_uprobe_spec *spec, uint64_t *addr, char *file, size_t filelen,
			 char *err, size_t errlen)
{
	bool by_name;
	int r = spec_file(pid, spec, file, filelen, &by_name);
	if (r)
		return fail(err, errlen, r, "pid %d: can't find its executable: %s", (int)pid, strerror(-r));
	if (by_name) {
		char name[PATH_MAX];
		snprintf(name, sizeof(name), "%s", file);
		if (!find_by_name(pid, name, file, filelen))
			return 0;
	}
	struct stat st;
	if (stat(file, &st))
		return fail(err, errlen, -errno, "%s: %s", file, strerror(errno));
	uint64_t off = spec->offset;
	if (spec->func[0]) {
		uint64_t foff;
		r = bpfrt_elf_func_offset(file, spec->func, &foff, err, errlen);
		if (r)
			return r;
		off += foff;
	}
	struct mapping m;
	if (!find_mapping(pid, &st, NULL, off, &m))
		return by_name ? fail(err, errlen, -ENOENT, "%s: offset 0x%llx is in no executable mapping of pid %d", file,
				      (unsigned long long)off, (int)pid)
			       : 0;
	*addr = m.start + (off - m.pgoff);
	return 1;
}

/* Try to put probe i into the tracee: 1 done, 0 its file is not mapped
 * (yet), negative errno with err on a hard failure. */
static int arm_probe(struct bpfrt_uprobes *u, size_t i, char *err, size_t errlen)
{
	struct uprobe *p = &u->probes[i];
	if (p->addr)
		return 1;
	char file[PATH_MAX], why[768] = "";
	uint64_t addr;
	int r = bpfrt_uprobe_resolve(u->pid, &p->spec, &addr, file, sizeof(file), why, sizeof(why));
	if (r < 0)
		return fail(err, errlen, r, "uprobe '%s': %s", p->prog->name, why);
	if (!r)
		return 0;
	r = bp_insert(u, addr);
	if (r)
		return fail(err, errlen, r, "uprobe '%s': can't write a breakpoint at 0x%llx in pid %d: %s", p->prog->name,
			    (unsigned long long)addr, (int)u->pid, strerror(-r));
	snprintf(p->file, sizeof(p->file), "%s", file);
	p->addr = addr;
	return 1;
}

/* The program's map whose name starts with name15 (map names are cut to 15
 * characters): <bpf/usdt.bpf.h>'s __bpf_usdt_specs, __bpf_usdt_ip_to_spec_id. */
static struct bpfrt_map *prog_map(struct bpfrt_prog *prog, const char *name15)
{
	for (uint32_t i = 0; i < prog->nr_maps; i++)
		if (!strncmp(prog->maps[i]->name, name15, 15))
			return prog->maps[i];
	return NULL;
}

/* Add 1 to the tracee's u16 semaphore at addr (libbpf's semaphore handling:
 * a guarded site runs only while someone is attached). */
static int sema_inc(pid_t pid, uint64_t addr)
{
	uint64_t base = addr & ~7ull, w;
	int r = peek_word(pid, base, &w);
	if (r)
		return r;
	unsigned shift = (unsigned)(addr - base) * 8;
	uint16_t v = (uint16_t)(w >> shift) + 1;
	w = (w & ~(0xffffull << shift)) | ((uint64_t)v << shift);
	return ptrace(PTRACE_POKEDATA, pid, (void *)(uintptr_t)base, (void *)(uintptr_t)w) ? -errno : 0;
}

/* A USDT request whose file is mapped becomes one probe per site: the
 * site's argument spec into the program's __bpf_usdt_specs (the index is the
 * probe's cookie) and its address into __bpf_usdt_ip_to_spec_id (bpfrt's
 * LINUX_HAS_BPF_COOKIE is 0), the semaphore incremented.  1 done, 0 not
 * mapped yet, negative errno. */
static int expand_usdt(struct bpfrt_uprobes *u, struct usdt_req *q, char *err, size_t errlen)
{
	if (q->done)
		return 1;
	char file[PATH_MAX], why[512];
	int r = bpfrt_uprobe_find_file(u->pid, q->path, file, sizeof(file));
	if (r <= 0)
		return r;
	struct bpfrt_usdt_site sites[32];
	int n = bpfrt_usdt_sites(file, q->provider, q->name, sites, 32, why, sizeof(why));
	if (n <= 0)
		return fail(err, errlen, n ? n : -ENOENT, "usdt '%s': %s", q->prog->name,
			    n ? why : "no such USDT probe in the file's .note.stapsdt");
	struct bpfrt_map *specs = prog_map(q->prog, "__bpf_usdt_spec"), *ips = prog_map(q->prog, "__bpf_usdt_ip_t");
	if (!specs)
		return fail(err, errlen, -EINVAL, "usdt '%s': the program has no __bpf_usdt_specs map (<bpf/usdt.bpf.h>)",
			    q->prog->name);
	for (int i = 0; i < n; i++) {
		struct bpfrt_usdt_spec spec;
		if (bpfrt_usdt_parse_args(sites[i].args, &spec, why, sizeof(why)))
			return fail(err, errlen, -EINVAL, "usdt '%s': %s", q->prog->name, why);
		spec.usdt_cookie = q->cookie;
		uint32_t id = u->next_spec++;
		if (specs->ops->update(specs, &id, &spec, BPF_ANY, false))
			return fail(err, errlen, -E2BIG, "usdt '%s': __bpf_usdt_specs is full", q->prog->name);
		if (!grow((void **)&u->probes, &u->cap, u->nr + 1, sizeof(*u->probes)))
			return fail(err, errlen, -ENOMEM, "out of memory");
		struct uprobe *p = &u->probes[u->nr++];
		memset(p, 0, sizeof(*p));
		bpfrt_obj_get(&q->prog->obj);
		p->prog = q->prog;
		p->cookie = id;
		snprintf(p->spec.path, sizeof(p->spec.path), "%s", file);
		p->spec.offset = sites[i].pc_off;
		r = arm_probe(u, u->nr - 1, err, errlen);
		if (r <= 0)
			return r ? r : fail(err, errlen, -ENOENT, "usdt '%s': site not mapped", q->prog->name);
		uint64_t ip = p->addr;
		if (ips && ips->ops->update(ips, &ip, &id, BPF_ANY, false))
			return fail(err, errlen, -E2BIG, "usdt '%s': __bpf_usdt_ip_to_spec_id is full", q->prog->name);
		if (sites[i].sema_vaddr && (r = sema_inc(u->pid, p->addr - sites[i].pc_vaddr + sites[i].sema_vaddr)))
			return fail(err, errlen, r, "usdt '%s': can't set the semaphore: %s", q->prog->name, strerror(-r));
	}
	q->done = true;
	return 1;
}

/* Arm every probe whose file is mapped; with final set, a probe whose file
 * is still not mapped is an error. */
static int arm_all(struct bpfrt_uprobes *u, bool final, char *err, size_t errlen)
{
	for (size_t i = 0; i < u->nr_usdts; i++) {
		int r = expand_usdt(u, &u->usdts[i], err, errlen);
		if (r < 0)
			return r;
		if (!r && final)
			return fail(err, errlen, -ENOENT, "usdt '%s': '%s' is not mapped in pid %d when it starts",
				    u->usdts[i].prog->name, u->usdts[i].path, (int)u->pid);
	}
	for (size_t i = 0; i < u->nr; i++) {
		int r = arm_probe(u, i, err, errlen);
		if (r < 0)
			return r;
		if (!r && final)
			return fail(err, errlen, -ENOENT, "uprobe '%s': '%s' is not mapped in pid %d when it starts (dlopen()ed libraries are not supported)",
				    u->probes[i].prog->name, u->probes[i].spec.path, (int)u->pid);
	}
	return 0;
}

int bpfrt_uprobes_attach(struct bpfrt_uprobes *u, pid_t pid, char *err, size_t errlen)
{
	u->pid = pid;
	char exe[PATH_MAX], link[64];
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	ssize_t len = readlink(link, exe, sizeof(exe) - 1);
	if (len < 0)
		return fail(err, errlen, -errno, "pid %d: can't read its executable: %s", (int)pid, strerror(errno));
	exe[len] = 0;
	uint64_t eoff;
	int r = bpfrt_elf_entry_offset(exe, &eoff, err, errlen);
	if (r)
		return r;
	struct stat st;
	struct mapping m;
	if (stat(exe, &st) || !find_mapping(pid, &st, NULL, eoff, &m))
		return fail(err, errlen, -ENOENT, "pid %d: its entry point is not mapped", (int)pid);
	u->tramp = m.start + (eoff - m.pgoff);
	r = arm_all(u, false, err, errlen);
	if (r)
		return r;
	/* The entry point: where libraries are known to be mapped and where a
	 * uretprobe returns to. */
	r = bp_insert(u, u->tramp);
	if (r)
		return fail(err, errlen, r, "pid %d: can't write a breakpoint at its entry point: %s", (int)pid,
			    strerror(-r));
	u->attached = true;
	return 0;
}

int bpfrt_uprobes_ext_on_exec(void *ctx, pid_t tid)
{
	struct bpfrt_uprobes *u = ctx;
	if (u->attached || !bpfrt_uprobes_count(u))
		return 0;
	char err[1024];
	int r = bpfrt_uprobes_attach(u, tid, err, sizeof(err));
	if (r)
		fprintf(stderr, "bpfrt: uprobes: %s\n", err);
	return r;
}

int bpfrt_uprobes_ext_on_sigtrap(void *ctx, pid_t tid, int *sig)
{
	struct bpfrt_uprobes *u = ctx;
	if (!u->attached)
		return 0;
	int r = bpfrt_uprobes_on_sigtrap(u, tid, sig);
	return r < 0 ? 1 : r; /* a vanished thread: nothing to deliver */
}

/* ---- running the programs ------------------------------------------------ */

static void task_read(struct bpfrt_task *t, pid_t tid)
{
	memset(t, 0, sizeof(*t));
	t->sz = sizeof(*t);
	t->tgid = tid;
	t->tid = tid;
	char path[64], buf[512];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)tid);
	FILE *f = fopen(path, "re");
	if (f) {
		if (fgets(buf, sizeof(buf), f)) {
			buf[strcspn(buf, "\n")] = 0;
			snprintf(t->comm, sizeof(t->comm), "%.15s", buf);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	f = fopen(path, "re");
	if (f) {
		while (fgets(buf, sizeof(buf), f)) {
			unsigned a;
			if (sscanf(buf, "Tgid: %u", &a) == 1)
				t->tgid = (int32_t)a;
			else if (sscanf(buf, "Uid: %u", &a) == 1)
				t->uid = a;
			else if (sscanf(buf, "Gid: %u", &a) == 1)
				t->gid = a;
		}
		fclose(f);
	}
}

/* The task of thread tid, from the cache; its outputs and regions reset. */
static void task_fill(struct bpfrt_uprobes *u, struct bpfrt_task *t, pid_t tid)
{
	struct task_cache *c = NULL;
	for (size_t i = 0; i < u->nr_tasks && !c; i++)
		if (u->tasks[i].tid == tid)
			c = &u->tasks[i];
	if (!c && grow((void **)&u->tasks, &u->cap_tasks, u->nr_tasks + 1, sizeof(*u->tasks))) {
		c = &u->tasks[u->nr_tasks++];
		c->tid = tid;
		task_read(&c->task, tid);
	}
	if (c)
		*t = c->task;
	else
		task_read(t, tid);
}

static void run_probe(struct bpfrt_uprobes *u, struct uprobe *p, const uint64_t *regs, struct bpfrt_task *task)
{
	uint64_t ctx[PT_REGS_WORDS];
	memcpy(ctx, regs, sizeof(ctx));
	task->kmem[0] = ctx;
	task->kmem_size[0] = sizeof(ctx);
	struct bpfrt_region globals[16];
	struct bpfrt_run_opts o = {.sz = sizeof(o), .ctx = ctx, .ctx_size = sizeof(ctx),
				   .tail_call = bpfrt_prog_tail_call, .task = task, .attach_cookie = p->cookie};
	bpfrt_prog_run_opts_init(p->prog, &o, globals, 16);
	uint64_t r0;
	struct bpfrt_diag diag;
	u->stats.runs++;
	if (bpfrt_vm_run(p->prog->vm, &o, &r0, &diag)) {
		u->stats.errors++;
		fprintf(stderr, "bpfrt: uprobe '%s': program fault: %s\n", p->prog->name, diag.msg);
	}
	__atomic_add_fetch(&p->prog->run_cnt, 1, __ATOMIC_RELAXED);
}

/* Run the entry programs at addr and set up the uretprobes there. */
static int hit_entry(struct bpfrt_uprobes *u, pid_t tid, uint64_t addr, const struct user_regs_struct *regs)
{
	struct bpfrt_task task;
	bool filled = false;
	uint64_t ctx[PT_REGS_WORDS];
	memcpy(ctx, regs, sizeof(ctx));
	ctx[16] = addr; /* ip: the probed address, as the kernel shows handlers */
	for (size_t i = 0; i < u->nr; i++) {
		struct uprobe *p = &u->probes[i];
		if (p->addr != addr)
			continue;
		if (!p->spec.retprobe) {
			if (!filled)
				task_fill(u, &task, tid), filled = true;
			run_probe(u, p, ctx, &task);
			continue;
		}
		/* uretprobe: swap the return address for the trampoline; a
		 * second uretprobe on the same call finds it swapped already. */
		uint64_t sp = regs->rsp, ret;
		int r = peek_word(tid, sp, &ret);
		if (r)
			return r;
		if (ret == u->tramp) {
			bool found = false;
			for (size_t k = u->nr_frames; k-- && !found;)
				if (u->frames[k].tid == tid && u->frames[k].sp == sp)
					ret = u->frames[k].ret, found = true;
			if (!found)
				continue;
		} else if (ptrace(PTRACE_POKEDATA, tid, (void *)(uintptr_t)sp, (void *)(uintptr_t)u->tramp)) {
			return -errno;
		}
		if (!grow((void **)&u->frames, &u->cap_frames, u->nr_frames + 1, sizeof(*u->frames)))
			return -ENOMEM;
		u->frames[u->nr_frames++] = (struct ret_frame){.tid = tid, .sp = sp, .ret = ret, .probe = i};
	}
	return 0;
}

/* The thread returned into the trampoline: run the uretprobes of the frame
 * it left and send it to the real return address. */
static int hit_return(struct bpfrt_uprobes *u, pid_t tid, struct user_regs_struct *regs)
{
	uint64_t sp = regs->rsp - 8; /* where the return address was */
	uint64_t ret = 0;
	bool found = false;
	struct bpfrt_task task;
	task_fill(u, &task, tid);
	/* Innermost first; frames of this thread below sp were skipped by a
	 * longjmp and are dropped. */
	for (size_t k = u->nr_frames; k--;) {
		struct ret_frame *f = &u->frames[k];
		if (f->tid != tid || f->sp > sp)
			continue;
		if (f->sp == sp) {
			ret = f->ret;
			found = true;
			uint64_t ctx[PT_REGS_WORDS];
			memcpy(ctx, regs, sizeof(ctx));
			ctx[16] = f->ret; /* ip: the return address, as the kernel */
			run_probe(u, &u->probes[f->probe], ctx, &task);
		}
		memmove(f, f + 1, (u->nr_frames - k - 1) * sizeof(*f));
		u->nr_frames--;
	}
	if (!found)
		return 0;
	regs->rip = ret;
	if (ptrace(PTRACE_SETREGS, tid, NULL, regs))
		return -errno;
	return 1;
}

/* Execute the original instruction at bp under the thread, then put the
 * int3 back.  Signals that arrive meanwhile are kept for the resume. */
static int step_over(struct bpfrt_uprobes *u, pid_t tid, struct user_regs_struct *regs, const struct breakpoint *bp,
		     int *sig)
{
	int r = poke_byte(tid, bp->addr, bp->orig, NULL);
	if (r)
		return r;
	regs->rip = bp->addr;
	if (ptrace(PTRACE_SETREGS, tid, NULL, regs))
		return -errno;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, tid, NULL, NULL))
			return -errno;
		int st;
		if (waitpid(tid, &st, __WALL) < 0)
			return -errno;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return -ESRCH;
		if (!WIFSTOPPED(st))
			continue;
		int s = WSTOPSIG(st);
		if (s == SIGTRAP || (st >> 16))
			break;
		*sig = s; /* delivered after the step, when the caller resumes */
	}
	(void)u;
	return poke_byte(tid, bp->addr, INT3, NULL);
}

int bpfrt_uprobes_on_sigtrap(struct bpfrt_uprobes *u, pid_t tid, int *sig)
{
	uint64_t t0 = now_ns();
	*sig = 0;
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, tid, NULL, &regs))
		return -errno;
	uint64_t addr = regs.rip - 1;
	const struct breakpoint *bp = bp_find(u, addr);
	if (!bp)
		return 0;
	int r = 0;
	if (addr == u->tramp && u->libs_done) {
		r = hit_return(u, tid, &regs);
		if (r == 1) {
			u->stats.hits++;
			u->stats.handle_ns += now_ns() - t0;
			return 1;
		}
		if (r < 0)
			return r;
		/* no frame: someone jumped to the entry point; step over it */
	} else if (addr == u->tramp) {
		/* The program reached its entry point: libraries are mapped. */
		u->libs_done = true;
		char err[512];
		if (arm_all(u, true, err, sizeof(err)) < 0)
			fprintf(stderr, "bpfrt: %s\n", err);
	} else {
		u->stats.hits++;
		r = hit_entry(u, tid, addr, &regs);
		if (r < 0)
			return r;
	}
	/* The programs may have swapped the return address, not the regs. */
	bp = bp_find(u, addr);
	r = step_over(u, tid, &regs, bp, sig);
	u->stats.handle_ns += now_ns() - t0;
	return r < 0 ? r : 1;
}
