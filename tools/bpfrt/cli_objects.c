/* cli_objects.c — the objects a bpfrt invocation can name.  Ids are per
 * process, so `id ID` and `name NAME` resolve against what this process
 * opens by scanning the pin root (every regular file, sorted path order,
 * that BPF_OBJ_GET accepts); `pinned FILE` opens FILE directly.  A map seen
 * through several paths (two pins, or a program's links to its maps) is one
 * entry: the id of its first opening, every visible path listed.  Also the
 * bpftool names of map and program types.
 */
#define _GNU_SOURCE
#include "tools/bpfrt/cli.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const map_types[] = {
	[BPF_MAP_TYPE_UNSPEC] = "unspec",
	[BPF_MAP_TYPE_HASH] = "hash",
	[BPF_MAP_TYPE_ARRAY] = "array",
	[BPF_MAP_TYPE_PROG_ARRAY] = "prog_array",
	[BPF_MAP_TYPE_PERF_EVENT_ARRAY] = "perf_event_array",
	[BPF_MAP_TYPE_PERCPU_HASH] = "percpu_hash",
	[BPF_MAP_TYPE_PERCPU_ARRAY] = "percpu_array",
	[BPF_MAP_TYPE_STACK_TRACE] = "stack_trace",
	[BPF_MAP_TYPE_CGROUP_ARRAY] = "cgroup_array",
	[BPF_MAP_TYPE_LRU_HASH] = "lru_hash",
	[BPF_MAP_TYPE_LRU_PERCPU_HASH] = "lru_percpu_hash",
	[BPF_MAP_TYPE_LPM_TRIE] = "lpm_trie",
	[BPF_MAP_TYPE_ARRAY_OF_MAPS] = "array_of_maps",
	[BPF_MAP_TYPE_HASH_OF_MAPS] = "hash_of_maps",
	[BPF_MAP_TYPE_DEVMAP] = "devmap",
	[BPF_MAP_TYPE_SOCKMAP] = "sockmap",
	[BPF_MAP_TYPE_CPUMAP] = "cpumap",
	[BPF_MAP_TYPE_XSKMAP] = "xskmap",
	[BPF_MAP_TYPE_SOCKHASH] = "sockhash",
	[BPF_MAP_TYPE_CGROUP_STORAGE] = "cgroup_storage",
	[BPF_MAP_TYPE_REUSEPORT_SOCKARRAY] = "reuseport_sockarray",
	[BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE] = "percpu_cgroup_storage",
	[BPF_MAP_TYPE_QUEUE] = "queue",
	[BPF_MAP_TYPE_STACK] = "stack",
	[BPF_MAP_TYPE_SK_STORAGE] = "sk_storage",
	[BPF_MAP_TYPE_DEVMAP_HASH] = "devmap_hash",
	[BPF_MAP_TYPE_STRUCT_OPS] = "struct_ops",
	[BPF_MAP_TYPE_RINGBUF] = "ringbuf",
	[BPF_MAP_TYPE_INODE_STORAGE] = "inode_storage",
	[BPF_MAP_TYPE_TASK_STORAGE] = "task_storage",
	[BPF_MAP_TYPE_BLOOM_FILTER] = "bloom_filter",
	[BPF_MAP_TYPE_USER_RINGBUF] = "user_ringbuf",
};

static const char *const prog_types[] = {
	[BPF_PROG_TYPE_UNSPEC] = "unspec",
	[BPF_PROG_TYPE_SOCKET_FILTER] = "socket_filter",
	[BPF_PROG_TYPE_KPROBE] = "kprobe",
	[BPF_PROG_TYPE_SCHED_CLS] = "sched_cls",
	[BPF_PROG_TYPE_SCHED_ACT] = "sched_act",
	[BPF_PROG_TYPE_TRACEPOINT] = "tracepoint",
	[BPF_PROG_TYPE_XDP] = "xdp",
	[BPF_PROG_TYPE_PERF_EVENT] = "perf_event",
	[BPF_PROG_TYPE_CGROUP_SKB] = "cgroup_skb",
	[BPF_PROG_TYPE_CGROUP_SOCK] = "cgroup_sock",
	[BPF_PROG_TYPE_LWT_IN] = "lwt_in",
	[BPF_PROG_TYPE_LWT_OUT] = "lwt_out",
	[BPF_PROG_TYPE_LWT_XMIT] = "lwt_xmit",
	[BPF_PROG_TYPE_SOCK_OPS] = "sock_ops",
	[BPF_PROG_TYPE_SK_SKB] = "sk_skb",
	[BPF_PROG_TYPE_CGROUP_DEVICE] = "cgroup_device",
	[BPF_PROG_TYPE_SK_MSG] = "sk_msg",
	[BPF_PROG_TYPE_RAW_TRACEPOINT] = "raw_tracepoint",
	[BPF_PROG_TYPE_CGROUP_SOCK_ADDR] = "cgroup_sock_addr",
	[BPF_PROG_TYPE_LWT_SEG6LOCAL] = "lwt_seg6local",
	[BPF_PROG_TYPE_LIRC_MODE2] = "lirc_mode2",
	[BPF_PROG_TYPE_SK_REUSEPORT] = "sk_reuseport",
	[BPF_PROG_TYPE_FLOW_DISSECTOR] = "flow_dissector",
	[BPF_PROG_TYPE_CGROUP_SYSCTL] = "cgroup_sysctl",
	[BPF_PROG_TYPE_RAW_TRACEPOINT_WRITABLE] = "raw_tracepoint_writable",
	[BPF_PROG_TYPE_CGROUP_SOCKOPT] = "cgroup_sockopt",
	[BPF_PROG_TYPE_TRACING] = "tracing",
	[BPF_PROG_TYPE_STRUCT_OPS] = "struct_ops",
	[BPF_PROG_TYPE_EXT] = "ext",
	[BPF_PROG_TYPE_LSM] = "lsm",
	[BPF_PROG_TYPE_SK_LOOKUP] = "sk_lookup",
	[BPF_PROG_TYPE_SYSCALL] = "syscall",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *cli_map_type_name(uint32_t type)
{
	return type < COUNT(map_types) ? map_types[type] : NULL;
}

const char *cli_prog_type_name(uint32_t type)
{
	return type < COUNT(prog_types) ? prog_types[type] : NULL;
}

static int type_parse(const char *const *names, size_t n, const char *name, uint32_t *type)
{
	for (size_t i = 1; i < n; i++) {
		if (names[i] && !strcmp(names[i], name)) {
			*type = (uint32_t)i;
			return 0;
		}
	}
	return -1;
}

int cli_map_type_parse(const char *name, uint32_t *type)
{
	return type_parse(map_types, COUNT(map_types), name, type);
}

int cli_prog_type_parse(const char *name, uint32_t *type)
{
	return type_parse(prog_types, COUNT(prog_types), name, type);
}

/* ---- The table ------------------------------------------------------ */

void cli_objs_init(struct cli_objs *t, const struct cli *cli, struct bpfrt *rt)
{
	memset(t, 0, sizeof(*t));
	t->cli = cli;
	t->rt = rt;
}

void cli_objs_free(struct cli_objs *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t k = 0; k < t->v[i].npaths; k++)
			free(t->v[i].paths[k]);
		free(t->v[i].paths);
		free(t->v[i].storage);
	}
	free(t->v);
	free(t->aliases);
	memset(t, 0, sizeof(*t));
}

static int add_path(struct cli_obj *o, const char *path)
{
	for (size_t k = 0; k < o->npaths; k++)
		if (!strcmp(o->paths[k], path))
			return 0;
	char **p = realloc(o->paths, (o->npaths + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	o->paths = p;
	if (!(p[o->npaths] = strdup(path)))
		return -ENOMEM;
	o->npaths++;
	return 0;
}

static struct cli_obj *add_obj(struct cli_objs *t, enum cli_kind kind, uint32_t id, int fd,
			       const struct stat *st, const char *storage)
{
	struct cli_obj *v = realloc(t->v, (t->n + 1) * sizeof(*v));
	if (!v)
		return NULL;
	t->v = v;
	struct cli_obj *o = &v[t->n++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->id = id;
	o->fd = fd;
	if (st) {
		o->dev = st->st_dev;
		o->ino = st->st_ino;
	}
	o->storage = storage ? strdup(storage) : NULL;
	return o;
}

static struct cli_obj *find_file(struct cli_objs *t, const struct stat *st)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].ino && t->v[i].dev == st->st_dev && t->v[i].ino == st->st_ino)
			return &t->v[i];
	return NULL;
}

static struct cli_obj *find_id(struct cli_objs *t, enum cli_kind kind, uint32_t id)
{
	if (kind == CLI_MAP)
		id = cli_objs_canon_map_id(t, id);
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].kind == kind && t->v[i].id == id)
			return &t->v[i];
	return NULL;
}

uint32_t cli_objs_canon_map_id(const struct cli_objs *t, uint32_t id)
{
	for (size_t i = 0; i < t->naliases; i++)
		if (t->aliases[i].alias == id)
			return t->aliases[i].id;
	return id;
}

/* The highest id of a kind this runtime has handed out after `from`. */
static uint32_t last_id(struct cli_objs *t, int cmd, uint32_t from)
{
	union bpf_attr a;
	for (;;) {
		memset(&a, 0, sizeof(a));
		a.start_id = from;
		if (cli_bpf(t->rt, cmd, &a))
			return from;
		from = a.next_id;
	}
}

int cli_obj_fd(struct cli_objs *t, struct cli_obj *o)
{
	if (o->fd >= 0)
		return o->fd;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.start_id = o->id;
	o->fd = cli_bpf(t->rt, o->kind == CLI_MAP ? BPF_MAP_GET_FD_BY_ID : BPF_PROG_GET_FD_BY_ID, &a);
	return o->fd;
}

/* Open path (already stat'ed) if it is a bpfrt object not yet in the table.
 * Whether BPF_OBJ_GET gave a map or a program shows in which id space
 * grew.  A program's maps come in with it, through the links bpfrt keeps
 * beside a pinned program (".NAME.mapN", in map index order); their files
 * tell whether a map is already listed.  Returns the entry or NULL. */
static struct cli_obj *open_file(struct cli_objs *t, const char *path, const struct stat *st,
				 int *err)
{
	struct cli_obj *o = find_file(t, st);
	if (o)
		return o;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.pathname = (uintptr_t)path;
	int fd = cli_bpf(t->rt, BPF_OBJ_GET, &a);
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	uint32_t prog_id = last_id(t, BPF_PROG_GET_NEXT_ID, t->last_prog_id);
	uint32_t map_id = last_id(t, BPF_MAP_GET_NEXT_ID, t->last_map_id);
	if (prog_id == t->last_prog_id) {
		t->last_map_id = map_id;
		o = add_obj(t, CLI_MAP, map_id, fd, st, path);
		if (!o)
			*err = -ENOMEM;
		return o;
	}
	t->last_prog_id = prog_id;
	o = add_obj(t, CLI_PROG, prog_id, fd, st, path);
	if (!o) {
		*err = -ENOMEM;
		return NULL;
	}
	size_t prog_index = (size_t)(o - t->v);
	char dir[PATH_MAX], base[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", path);
	snprintf(base, sizeof(base), "%s", path);
	const char *d = dirname(dir), *b = basename(base);
	for (uint32_t id = t->last_map_id + 1, idx = 0; id <= map_id; id++, idx++) {
		char link[PATH_MAX + 32];
		struct stat ms;
		snprintf(link, sizeof(link), "%s/.%s.map%u", d, b, idx);
		bool known = stat(link, &ms) == 0;
		struct cli_obj *m = known ? find_file(t, &ms) : NULL;
		if (m) {
			void *n = realloc(t->aliases, (t->naliases + 1) * sizeof(*t->aliases));
			if (!n)
				break;
			t->aliases = n;
			t->aliases[t->naliases].alias = id;
			t->aliases[t->naliases++].id = m->id;
		} else if (!add_obj(t, CLI_MAP, id, -1, known ? &ms : NULL, known ? link : NULL)) {
			break;
		}
	}
	t->last_map_id = map_id;
	return &t->v[prog_index];
}

static int visit(struct cli_objs *t, const char *path, const struct stat *st)
{
	int err = 0;
	struct cli_obj *o = open_file(t, path, st, &err);
	if (o)
		return add_path(o, path);
	if (t->cli->debug)
		fprintf(stderr, "bpfrt: skipping '%s': %s\n", path, cli_strerror(err));
	return err == -ENOMEM ? err : 0;
}

static int walk(struct cli_objs *t, const char *dir, int depth)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), err = 0;
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int k = 0; k < n; k++) {
		char path[PATH_MAX];
		struct stat st;
		/* Dot files are bpfrt's own links (a pinned program's maps). */
		if (!err && names[k]->d_name[0] != '.' &&
		    (size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[k]->d_name) < sizeof(path) &&
		    lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth < 32)
				err = walk(t, path, depth + 1);
			else if (S_ISREG(st.st_mode))
				err = visit(t, path, &st);
		}
		free(names[k]);
	}
	free(names);
	return err;
}

int cli_objs_scan(struct cli_objs *t)
{
	if (t->scanned)
		return 0;
	t->scanned = true;
	char root[PATH_MAX];
	snprintf(root, sizeof(root), "%s", bpfrt_pin_root(t->rt));
	size_t len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		root[--len] = 0;
	int err = walk(t, root, 0);
	if (err)
		return cli_error(t->cli, "can't scan the pin root '%s': %s", root, cli_strerror(err));
	return 0;
}

/* ---- MAP / PROG arguments ------------------------------------------- */

static const char *kind_name(enum cli_kind kind)
{
	return kind == CLI_MAP ? "map" : "program";
}

static int obj_name(struct cli_objs *t, struct cli_obj *o, char *name)
{
	int fd = cli_obj_fd(t, o);
	if (fd < 0)
		return fd;
	union {
		struct bpf_map_info map;
		struct bpf_prog_info prog;
	} info;
	memset(&info, 0, sizeof(info));
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info = (uintptr_t)&info;
	a.info.info_len = o->kind == CLI_MAP ? sizeof(info.map) : sizeof(info.prog);
	int err = cli_bpf(t->rt, BPF_OBJ_GET_INFO_BY_FD, &a);
	if (err)
		return err;
	memcpy(name, o->kind == CLI_MAP ? info.map.name : info.prog.name, BPF_OBJ_NAME_LEN);
	name[BPF_OBJ_NAME_LEN - 1] = 0;
	return 0;
}

static int push(struct cli_obj ***out, size_t *n, struct cli_obj *o)
{
	struct cli_obj **v = realloc(*out, (*n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[(*n)++] = o;
	*out = v;
	return 0;
}

static int parse_one(struct cli_objs *t, enum cli_kind kind, const char *kw, const char *arg,
		     bool multi, struct cli_obj ***out, size_t *n)
{
	const struct cli *cli = t->cli;
	if (!strcmp(kw, "pinned")) {
		struct stat st;
		int err = 0;
		if (stat(arg, &st))
			return cli_error(cli, "bpf obj get (%s): %s", arg, strerror(errno));
		if (!S_ISREG(st.st_mode))
			return cli_error(cli, "bpf obj get (%s): not a pinned object", arg);
		struct cli_obj *o = open_file(t, arg, &st, &err);
		if (!o)
			return cli_error(cli, "bpf obj get (%s): %s", arg, cli_strerror(err));
		if (o->kind != kind)
			return cli_error(cli, "incorrect object type: %s", kind_name(o->kind));
		if (add_path(o, arg) || push(out, n, o))
			return cli_error(cli, "out of memory");
		return 0;
	}
	if (cli_objs_scan(t))
		return 255;
	if (!strcmp(kw, "id")) {
		uint64_t id;
		if (cli_parse_u64(arg, &id) || id == 0 || id > UINT32_MAX)
			return cli_error(cli, "can't parse '%s' as ID", arg);
		struct cli_obj *o = find_id(t, kind, (uint32_t)id);
		if (!o)
			return cli_error(cli, "get %s by id (%s): %s (ids are this process's: see 'bpfrt %s show')",
					 kind == CLI_MAP ? "map" : "prog", arg, strerror(ENOENT),
					 kind == CLI_MAP ? "map" : "prog");
		return push(out, n, o) ? cli_error(cli, "out of memory") : 0;
	}
	/* name */
	if (strlen(arg) > BPF_OBJ_NAME_LEN - 1)
		return cli_error(cli, "can't parse name '%s': longer than %d characters", arg,
				 BPF_OBJ_NAME_LEN - 1);
	size_t before = *n;
	for (size_t i = 0; i < t->n; i++) {
		char name[BPF_OBJ_NAME_LEN];
		if (t->v[i].kind != kind || obj_name(t, &t->v[i], name) || strcmp(name, arg))
			continue;
		if (push(out, n, &t->v[i]))
			return cli_error(cli, "out of memory");
	}
	if (*n == before)
		return cli_error(cli, "no %s with name %s found", kind_name(kind), arg);
	if (!multi && *n - before > 1)
		return cli_error(cli, "several %ss match this handle", kind_name(kind));
	return 0;
}

int cli_objs_parse(struct cli_objs *t, enum cli_kind kind, int *i, int argc, char **argv,
		   bool multi, struct cli_obj ***out, size_t *n)
{
	*out = NULL;
	*n = 0;
	const char *what = kind == CLI_MAP ? "MAP" : "PROG";
	if (*i >= argc)
		return cli_error(t->cli, "expected %s (id ID | pinned FILE | name NAME)", what);
	const char *kw = argv[*i];
	if (strcmp(kw, "id") && strcmp(kw, "pinned") && strcmp(kw, "name"))
		return cli_error(t->cli, "expected 'id', 'name' or 'pinned', got: '%s'?", kw);
	if (*i + 1 >= argc)
		return cli_error(t->cli, "'%s' needs an argument", kw);
	const char *arg = argv[*i + 1];
	*i += 2;
	int err = parse_one(t, kind, kw, arg, multi, out, n);
	if (err) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return err;
}
