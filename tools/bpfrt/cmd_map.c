/* cmd_map.c — `bpfrt map ...`: maps, with bpftool's grammar and output
 * (text and -j/-p JSON).  MAP := id ID | pinned FILE | name NAME, resolved
 * by cli_objects.c (ids are this process's, from a scan of the pin root).
 * Every operation goes through bpfrt_bpf(), so what this prints is what the
 * bpf(2)-style interface gives; pinned maps are shared live with every other
 * process that opened them.
 */
#include "tools/bpfrt/cli.h"
#include "bpfrt/btf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct map_ctx {
	struct cli *cli;
	struct bpfrt *rt;
	struct cli_objs objs;
	struct cli_obj *obj;
	int fd;
	struct bpf_map_info info;
	uint32_t value_bytes; /* what a lookup returns (all CPUs for per-CPU maps) */
	uint32_t step;        /* per-CPU value stride */
	uint32_t ncpus;
	struct bpfrt_btf *btf; /* the map's key/value types, if it has BTF */
};

static bool is_percpu(uint32_t type)
{
	return type == BPF_MAP_TYPE_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_ARRAY ||
	       type == BPF_MAP_TYPE_LRU_PERCPU_HASH || type == BPF_MAP_TYPE_PERCPU_CGROUP_STORAGE;
}

static bool holds_fds(uint32_t type)
{
	return type == BPF_MAP_TYPE_PROG_ARRAY || type == BPF_MAP_TYPE_ARRAY_OF_MAPS ||
	       type == BPF_MAP_TYPE_HASH_OF_MAPS || type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
}

static bool is_stackish(uint32_t type)
{
	return type == BPF_MAP_TYPE_QUEUE || type == BPF_MAP_TYPE_STACK;
}

static int get_info(struct bpfrt *rt, int fd, struct bpf_map_info *info)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	memset(info, 0, sizeof(*info));
	a.info.bpf_fd = (uint32_t)fd;
	a.info.info = (uintptr_t)info;
	a.info.info_len = sizeof(*info);
	return cli_bpf(rt, BPF_OBJ_GET_INFO_BY_FD, &a);
}

static int ctx_fill(struct map_ctx *c, struct cli_obj *o)
{
	c->obj = o;
	c->fd = cli_obj_fd(&c->objs, o);
	int err = c->fd < 0 ? c->fd : get_info(c->rt, c->fd, &c->info);
	if (err)
		return cli_error(c->cli, "can't get map info: %s", cli_strerror(err));
	c->ncpus = cli_possible_cpus();
	c->step = (c->info.value_size + 7) & ~7u;
	c->value_bytes = is_percpu(c->info.type) ? c->step * c->ncpus
			 : holds_fds(c->info.type) ? 4
						   : c->info.value_size;
	return 0;
}

/* Parse MAP at argv[*i] and open it; exactly one map. */
static int open_map(struct map_ctx *c, int *i, int argc, char **argv)
{
	struct cli_obj **v;
	size_t n;
	int err = cli_objs_parse(&c->objs, CLI_MAP, i, argc, argv, false, &v, &n);
	if (err)
		return err;
	err = ctx_fill(c, v[0]);
	free(v);
	return err;
}

static int no_more(const struct cli *cli, int i, int argc, char **argv)
{
	return i < argc ? cli_error(cli, "unexpected argument '%s'", argv[i]) : 0;
}

static void json_null(const struct cli *cli)
{
	if (cli->json)
		puts("null");
}

/* ---- show ------------------------------------------------------------ */

/* bpf_map_info has no "frozen"; probe it without side effects: an update
 * with BPF_F_LOCK and no key is refused with EPERM on a frozen (or
 * read-only) map before anything is read, and with EINVAL otherwise. */
static bool map_frozen(struct bpfrt *rt, int fd, const struct bpf_map_info *info)
{
	if (info->map_flags & BPF_F_RDONLY)
		return false;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)fd;
	a.flags = BPF_F_LOCK;
	return cli_bpf(rt, BPF_MAP_UPDATE_ELEM, &a) == -EPERM;
}

static int64_t map_memlock(const struct cli_obj *o)
{
	struct stat st;
	const char *p = o->storage ? o->storage : o->npaths ? o->paths[0] : NULL;
	return p && stat(p, &st) == 0 ? (int64_t)st.st_size : -1;
}

static void show_one(struct map_ctx *c, struct cli_json *w)
{
	const struct bpf_map_info *in = &c->info;
	const char *type = cli_map_type_name(in->type);
	int64_t memlock = map_memlock(c->obj);
	bool frozen = map_frozen(c->rt, c->fd, in);
	if (w) {
		cli_json_start_object(w);
		cli_json_name(w, "id");
		cli_json_uint(w, c->obj->id);
		cli_json_name(w, "type");
		if (type)
			cli_json_string(w, type);
		else
			cli_json_uint(w, in->type);
		if (in->name[0]) {
			cli_json_name(w, "name");
			cli_json_string(w, in->name);
		}
		cli_json_name(w, "flags");
		cli_json_uint(w, in->map_flags);
		cli_json_name(w, "bytes_key");
		cli_json_uint(w, in->key_size);
		cli_json_name(w, "bytes_value");
		cli_json_uint(w, in->value_size);
		cli_json_name(w, "max_entries");
		cli_json_uint(w, in->max_entries);
		if (memlock >= 0) {
			cli_json_name(w, "bytes_memlock");
			cli_json_int(w, memlock);
		}
		cli_json_name(w, "frozen");
		cli_json_int(w, frozen);
		if (in->btf_id) {
			cli_json_name(w, "btf_id");
			cli_json_uint(w, in->btf_id);
		}
		if (c->obj->npaths) {
			cli_json_name(w, "pinned");
			cli_json_start_array(w);
			for (size_t k = 0; k < c->obj->npaths; k++)
				cli_json_string(w, c->obj->paths[k]);
			cli_json_end_array(w);
		}
		cli_json_end_object(w);
		return;
	}
	printf("%u: ", c->obj->id);
	if (type)
		printf("%s  ", type);
	else
		printf("type %u  ", in->type);
	if (in->name[0])
		printf("name %s  ", in->name);
	printf("flags 0x%x\n", in->map_flags);
	printf("\tkey %uB  value %uB  max_entries %u", in->key_size, in->value_size, in->max_entries);
	if (memlock >= 0)
		printf("  memlock %lldB", (long long)memlock);
	if (frozen)
		printf("  frozen");
	printf("\n");
	for (size_t k = 0; k < c->obj->npaths; k++)
		printf("\tpinned %s\n", c->obj->paths[k]);
	if (in->btf_id)
		printf("\tbtf_id %u\n", in->btf_id);
}

static int do_show(struct map_ctx *c, int argc, char **argv)
{
	int i = 0, err = cli_objs_scan(&c->objs);
	if (err)
		return err;
	struct cli_obj **v = NULL;
	size_t n = 0;
	bool subset = argc > 0;
	if (subset) {
		err = cli_objs_parse(&c->objs, CLI_MAP, &i, argc, argv, true, &v, &n);
		if (!err)
			err = no_more(c->cli, i, argc, argv);
	} else {
		for (size_t k = 0; k < c->objs.n; k++) {
			if (c->objs.v[k].kind != CLI_MAP)
				continue;
			struct cli_obj **nv = realloc(v, (n + 1) * sizeof(*v));
			if (!nv) {
				err = cli_error(c->cli, "out of memory");
				break;
			}
			v = nv;
			v[n++] = &c->objs.v[k];
		}
	}
	if (err) {
		free(v);
		return err;
	}
	/* bpftool: a list is an array, one object named by id/pinned is not. */
	struct cli_json w, *jw = c->cli->json ? &w : NULL;
	bool array = !subset || n > 1;
	if (jw) {
		cli_json_init(jw, c->cli);
		if (array)
			cli_json_start_array(jw);
	}
	for (size_t k = 0; k < n; k++) {
		if (ctx_fill(c, v[k])) {
			err = 255;
			break;
		}
		show_one(c, jw);
	}
	if (jw && !err) {
		if (array)
			cli_json_end_array(jw);
		cli_json_end(jw);
	}
	free(v);
	return err;
}

/* ---- elements ---------------------------------------------------------- */

/* The map's BTF (bpf_map_info.btf_id), as bpftool gets it; NULL if none. */
static struct bpfrt_btf *map_btf(struct map_ctx *c)
{
	if (!c->info.btf_id || !c->info.btf_value_type_id || holds_fds(c->info.type))
		return NULL;
	c->btf = cli_btf_by_id(c->rt, c->info.btf_id);
	return c->btf;
}

/* One element by its BTF types, as bpftool's do_dump_btf: {"key": ...,
 * "value": ...} (per-CPU: "values": [{"cpu": N, "value": ...}]).  w is a
 * compact JSON writer (-j) or a pretty one for plain output. */
static void print_btf(struct map_ctx *c, struct cli_json *w, const uint8_t *key, const uint8_t *value)
{
	const struct bpf_map_info *in = &c->info;
	bool json = !w->pretty || c->cli->json;
	cli_json_start_object(w);
	if (in->btf_key_type_id) {
		cli_json_name(w, "key");
		cli_json_value_begin(w);
		bpfrt_btf_dump_data_depth(c->btf, in->btf_key_type_id, key, in->key_size, json, w->depth, w->f);
	}
	if (!is_percpu(in->type)) {
		cli_json_name(w, "value");
		cli_json_value_begin(w);
		bpfrt_btf_dump_data_depth(c->btf, in->btf_value_type_id, value, in->value_size, json, w->depth,
					  w->f);
	} else {
		cli_json_name(w, "values");
		cli_json_start_array(w);
		for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
			cli_json_start_object(w);
			cli_json_name(w, "cpu");
			cli_json_uint(w, cpu);
			cli_json_name(w, "value");
			cli_json_value_begin(w);
			bpfrt_btf_dump_data_depth(c->btf, in->btf_value_type_id, value + (size_t)cpu * c->step,
						  in->value_size, json, w->depth, w->f);
			cli_json_end_object(w);
		}
		cli_json_end_array(w);
	}
	cli_json_end_object(w);
}

static void print_entry(struct map_ctx *c, struct cli_json *w, const uint8_t *key, const uint8_t *value)
{
	const struct bpf_map_info *in = &c->info;
	uint32_t vsize = holds_fds(in->type) ? 4 : in->value_size;
	if (w) {
		cli_json_start_object(w);
		cli_json_name(w, "key");
		cli_json_hex(w, key, in->key_size);
		if (!is_percpu(in->type)) {
			cli_json_name(w, "value");
			cli_json_hex(w, value, vsize);
		} else {
			cli_json_name(w, "values");
			cli_json_start_array(w);
			for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
				cli_json_start_object(w);
				cli_json_name(w, "cpu");
				cli_json_uint(w, cpu);
				cli_json_name(w, "value");
				cli_json_hex(w, value + (size_t)cpu * c->step, vsize);
				cli_json_end_object(w);
			}
			cli_json_end_array(w);
		}
		if (c->btf) {
			/* bpftool -j: the bytes, then the same element by its types. */
			struct cli_json f = *w;
			cli_json_name(w, "formatted");
			f.pretty = 0, f.sep = 0;
			print_btf(c, &f, key, value);
			w->sep = ',';
		}
		cli_json_end_object(w);
		return;
	}
	if (!is_percpu(in->type)) {
		/* bpftool: one line when both are short, else each on its own. */
		bool break_names = in->key_size > 16 || vsize > 16;
		bool single_line = in->key_size + vsize <= 24 && !break_names;
		if (in->key_size) {
			printf("key:%c", break_names ? '\n' : ' ');
			cli_print_hex(stdout, key, in->key_size);
			printf(single_line ? "  " : "\n");
		}
		if (vsize) {
			printf("value:%c", break_names ? '\n' : ' ');
			cli_print_hex(stdout, value, vsize);
		}
		printf("\n");
		return;
	}
	if (in->key_size) {
		printf("key:\n");
		cli_print_hex(stdout, key, in->key_size);
		printf("\n");
	}
	for (uint32_t cpu = 0; cpu < c->ncpus; cpu++) {
		printf("value (CPU %02u):%c", cpu, vsize > 16 ? '\n' : ' ');
		cli_print_hex(stdout, value + (size_t)cpu * c->step, vsize);
		printf("\n");
	}
}

static int elem_op(struct map_ctx *c, int cmd, const void *key, void *value, uint64_t flags)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)c->fd;
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	a.flags = flags;
	return cli_bpf(c->rt, cmd, &a);
}

static int get_next_key(struct map_ctx *c, const void *key, void *next)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)c->fd;
	a.key = (uintptr_t)key;
	a.next_key = (uintptr_t)next;
	return cli_bpf(c->rt, BPF_MAP_GET_NEXT_KEY, &a);
}

struct bufs {
	uint8_t *key, *key2, *value;
};

static int alloc_bufs(struct map_ctx *c, struct bufs *b)
{
	b->key = calloc(1, c->info.key_size + 1);
	b->key2 = calloc(1, c->info.key_size + 1);
	b->value = calloc(1, c->value_bytes + 8);
	if (!b->key || !b->key2 || !b->value)
		return cli_error(c->cli, "out of memory");
	return 0;
}

static void free_bufs(struct bufs *b)
{
	free(b->key);
	free(b->key2);
	free(b->value);
}

static int do_dump(struct map_ctx *c, int argc, char **argv)
{
	int i = 0, err = open_map(c, &i, argc, argv);
	if (err || (err = no_more(c->cli, i, argc, argv)))
		return err;
	if (is_stackish(c->info.type) || c->info.type == BPF_MAP_TYPE_BLOOM_FILTER)
		return cli_error(c->cli, "can't dump a %s map: it has no keys (use 'map peek' or 'map pop')",
				 cli_map_type_name(c->info.type));
	struct bufs b;
	if (alloc_bufs(c, &b)) {
		free_bufs(&b);
		return 255;
	}
	struct cli_json w, *jw = c->cli->json ? &w : NULL;
	if (jw) {
		cli_json_init(jw, c->cli);
		cli_json_start_array(jw);
	}
	/* Plain output of a map with BTF is bpftool's: a pretty JSON array of
	 * elements by field name, and no "Found N elements". */
	struct cli_json bw = {.f = stdout, .pretty = 1};
	bool by_btf = map_btf(c) && !jw;
	if (by_btf)
		cli_json_start_array(&bw);
	uint32_t found = 0;
	uint8_t *prev = NULL, *key = b.key;
	for (;;) {
		int r = get_next_key(c, prev, key);
		if (r == -ENOENT)
			break;
		if (r) {
			if (jw) {
				cli_json_end_array(jw);
				cli_json_end(jw);
			}
			if (by_btf) {
				cli_json_end_array(&bw);
				cli_json_end(&bw);
			}
			free_bufs(&b);
			return cli_error(c->cli, "can't get next key: %s", cli_strerror(r));
		}
		r = elem_op(c, BPF_MAP_LOOKUP_ELEM, key, b.value, 0);
		if (!r) {
			if (by_btf)
				print_btf(c, &bw, key, b.value);
			else
				print_entry(c, jw, key, b.value);
			found++;
		} else if (r != -ENOENT) { /* ENOENT: deleted meanwhile by someone else */
			fprintf(stderr, "Warning: can't lookup element with key: ");
			cli_print_hex(stderr, key, c->info.key_size);
			fprintf(stderr, "\n");
		}
		/* Alternate the two key buffers: prev is the key just printed. */
		prev = key;
		key = key == b.key ? b.key2 : b.key;
	}
	if (jw) {
		cli_json_end_array(jw);
		cli_json_end(jw);
	} else if (by_btf) {
		cli_json_end_array(&bw);
		cli_json_end(&bw);
	} else {
		printf("Found %u element%s\n", found, found != 1 ? "s" : "");
	}
	free_bufs(&b);
	return 0;
}

/* VALUE of a map that holds programs or maps: a PROG or MAP, as an fd. */
static int parse_fd_value(struct map_ctx *c, int *i, int argc, char **argv, uint8_t *value)
{
	enum cli_kind kind = c->info.type == BPF_MAP_TYPE_PROG_ARRAY ? CLI_PROG : CLI_MAP;
	struct cli_obj **v;
	size_t n;
	int err = cli_objs_parse(&c->objs, kind, i, argc, argv, false, &v, &n);
	if (err)
		return err;
	int fd = cli_obj_fd(&c->objs, v[0]);
	free(v);
	if (fd < 0)
		return cli_error(c->cli, "can't open the value: %s", cli_strerror(fd));
	uint32_t u = (uint32_t)fd;
	memcpy(value, &u, 4);
	return 0;
}

/* [key DATA] [value VALUE] in any order, then UPDATE_FLAGS if allowed. */
static int parse_elem(struct map_ctx *c, int *i, int argc, char **argv, uint8_t *key,
		      uint8_t *value, bool want_key, bool want_value, uint64_t *flags)
{
	bool have_key = false, have_value = false;
	while (*i < argc) {
		const char *kw = argv[*i];
		if (want_key && !have_key && !strcmp(kw, "key")) {
			if (!c->info.key_size)
				return cli_error(c->cli, "a %s map has no keys", cli_map_type_name(c->info.type));
			++*i;
			if (cli_parse_data(c->cli, "key", i, argc, argv, key, c->info.key_size))
				return 255;
			have_key = true;
		} else if (want_value && !have_value && !strcmp(kw, "value")) {
			++*i;
			if (holds_fds(c->info.type) && c->info.type != BPF_MAP_TYPE_PERF_EVENT_ARRAY) {
				if (parse_fd_value(c, i, argc, argv, value))
					return 255;
			} else if (cli_parse_data(c->cli, "value", i, argc, argv, value, c->info.value_size)) {
				return 255;
			}
			/* bpftool: one value given for a per-CPU map goes to every CPU. */
			if (is_percpu(c->info.type))
				for (uint32_t cpu = c->ncpus; cpu-- > 0;)
					memmove(value + (size_t)cpu * c->step, value, c->info.value_size);
			have_value = true;
		} else if (flags && (!strcmp(kw, "any") || !strcmp(kw, "exist") || !strcmp(kw, "noexist"))) {
			*flags = !strcmp(kw, "any") ? BPF_ANY : !strcmp(kw, "exist") ? BPF_EXIST : BPF_NOEXIST;
			++*i;
			break;
		} else {
			return cli_error(c->cli, "unexpected argument '%s'", kw);
		}
	}
	if (want_key && !have_key && c->info.key_size)
		return cli_error(c->cli, "did not find key");
	if (want_value && !have_value)
		return cli_error(c->cli, "did not find value");
	return no_more(c->cli, *i, argc, argv);
}

static int do_lookup(struct map_ctx *c, int argc, char **argv)
{
	int i = 0, err = open_map(c, &i, argc, argv);
	if (err)
		return err;
	struct bufs b;
	if (alloc_bufs(c, &b) || parse_elem(c, &i, argc, argv, b.key, NULL, true, false, NULL)) {
		free_bufs(&b);
		return 255;
	}
	bool keyless = !c->info.key_size;
	err = elem_op(c, BPF_MAP_LOOKUP_ELEM, keyless ? NULL : b.key, b.value, 0);
	if (err == -ENOENT) {
		/* bpftool: not an error message, but a failed command. */
		if (c->cli->json) {
			json_null(c->cli);
		} else if (keyless) {
			fprintf(stderr, "Error: empty map\n");
		} else {
			printf("key:\n");
			cli_print_hex(stdout, b.key, c->info.key_size);
			printf("\n\nNot found\n");
		}
		err = 255;
	} else if (err) {
		err = cli_error(c->cli, "lookup failed: %s", cli_strerror(err));
	} else if (!c->cli->json && map_btf(c)) {
		struct cli_json bw = {.f = stdout, .pretty = 1};
		print_btf(c, &bw, b.key, b.value);
		cli_json_end(&bw);
	} else {
		struct cli_json w;
		if (c->cli->json) {
			cli_json_init(&w, c->cli);
			map_btf(c);
		}
		print_entry(c, c->cli->json ? &w : NULL, b.key, b.value);
		if (c->cli->json)
			cli_json_end(&w);
	}
	free_bufs(&b);
	return err;
}

static int do_update(struct map_ctx *c, int argc, char **argv, bool push)
{
	int i = 0, err = open_map(c, &i, argc, argv);
	if (err)
		return err;
	struct bufs b;
	uint64_t flags = BPF_ANY;
	if (alloc_bufs(c, &b) ||
	    parse_elem(c, &i, argc, argv, b.key, b.value, !push, true, push ? NULL : &flags)) {
		free_bufs(&b);
		return 255;
	}
	if (push && c->info.key_size) {
		free_bufs(&b);
		return cli_error(c->cli, "'push' is for queue and stack maps; this is a %s map",
				 cli_map_type_name(c->info.type));
	}
	err = elem_op(c, BPF_MAP_UPDATE_ELEM, c->info.key_size ? b.key : NULL, b.value, flags);
	free_bufs(&b);
	if (err)
		return cli_error(c->cli, "update failed: %s", cli_strerror(err));
	json_null(c->cli);
	return 0;
}

static int do_delete(struct map_ctx *c, int argc, char **argv)
{
	int i = 0, err = open_map(c, &i, argc, argv);
	if (err)
		return err;
	struct bufs b;
	if (alloc_bufs(c, &b) || parse_elem(c, &i, argc, argv, b.key, NULL, true, false, NULL)) {
		free_bufs(&b);
		return 255;
	}
	err = elem_op(c, BPF_MAP_DELETE_ELEM, b.key, NULL, 0);
	free_bufs(&b);
	if (err)
		return cli_error(c->cli, "delete failed: %s", cli_strerror(err));
	json_null(c->cli);
	return 0;
}

static int do_getnext(struct map_ctx *c, int argc, char **argv)
{
	int i = 0, err = open_map(c, &i, argc, argv);
	if (err)
		return err;
	struct bufs b;
	if (alloc_bufs(c, &b)) {
		free_bufs(&b);
		return 255;
	}
	bool have_key = i < argc;
	if (have_key && parse_elem(c, &i, argc, argv, b.key, NULL, true, false, NULL)) {
		free_bufs(&b);
		return 255;
	}
	err = get_next_key(c, have_key ? b.key : NULL, b.key2);
	if (err) {
		free_bufs(&b);
		return cli_error(c->cli, "can't get next key: %s", cli_strerror(err));
	}
	uint32_t ks = c->info.key_size;
	if (c->cli->json) {
		struct cli_json w;
		cli_json_init(&w, c->cli);
		cli_json_start_object(&w);
		cli_json_name(&w, "key");
		if (have_key)
			cli_json_hex(&w, b.key, ks);
		else
			cli_json_null(&w);
		cli_json_name(&w, "next_key");
		cli_json_hex(&w, b.key2, ks);
		cli_json_end_object(&w);
		cli_json_end(&w);
	} else {
		if (have_key) {
			printf("key:\n");
			cli_print_hex(stdout, b.key, ks);
			printf("\n");
		} else {
			printf("key: None\n");
		}
		printf("next key:\n");
		cli_print_hex(stdout, b.key2, ks);
		printf("\n");
	}
	free_bufs(&b);
	return 0;
}

static int do_pop(struct map_ctx *c, int argc, char **argv, bool peek)
{
	int i = 0, err = open_map(c, &i, argc, argv);
	if (err || (err = no_more(c->cli, i, argc, argv)))
		return err;
	if (c->info.key_size)
		return cli_error(c->cli, "'%s' is for queue and stack maps; this is a %s map",
				 peek ? "peek" : "pop", cli_map_type_name(c->info.type));
	struct bufs b;
	if (alloc_bufs(c, &b)) {
		free_bufs(&b);
		return 255;
	}
	err = elem_op(c, peek ? BPF_MAP_LOOKUP_ELEM : BPF_MAP_LOOKUP_AND_DELETE_ELEM, NULL, b.value, 0);
	if (err == -ENOENT) {
		if (c->cli->json)
			json_null(c->cli);
		else
			fprintf(stderr, "Error: empty map\n");
		err = 255;
	} else if (err) {
		err = cli_error(c->cli, "%s failed: %s", peek ? "peek" : "pop", cli_strerror(err));
	} else {
		struct cli_json w;
		if (c->cli->json)
			cli_json_init(&w, c->cli);
		print_entry(c, c->cli->json ? &w : NULL, b.key, b.value);
		if (c->cli->json)
			cli_json_end(&w);
	}
	free_bufs(&b);
	return err;
}

static int do_freeze(struct map_ctx *c, int argc, char **argv)
{
	int i = 0, err = open_map(c, &i, argc, argv);
	if (err || (err = no_more(c->cli, i, argc, argv)))
		return err;
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)c->fd;
	err = cli_bpf(c->rt, BPF_MAP_FREEZE, &a);
	if (err)
		return cli_error(c->cli, "failed to freeze map: %s", cli_strerror(err));
	json_null(c->cli);
	return 0;
}

static int pin_fd(const struct cli *cli, struct bpfrt *rt, int fd, const char *path)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.bpf_fd = (uint32_t)fd;
	a.pathname = (uintptr_t)path;
	int err = cli_bpf(rt, BPF_OBJ_PIN, &a);
	if (err)
		return cli_error(cli, "can't pin the object (%s): %s", path, cli_strerror(err));
	return 0;
}

static int do_pin(struct map_ctx *c, int argc, char **argv)
{
	int i = 0, err = open_map(c, &i, argc, argv);
	if (err)
		return err;
	if (i >= argc)
		return cli_error(c->cli, "'pin' needs a FILE after MAP");
	const char *path = argv[i++];
	if ((err = no_more(c->cli, i, argc, argv)) || (err = pin_fd(c->cli, c->rt, c->fd, path)))
		return err;
	json_null(c->cli);
	return 0;
}

static int parse_u32_arg(const struct cli *cli, const char *kw, int *i, int argc, char **argv,
			 uint32_t *out)
{
	uint64_t v;
	if (++*i >= argc)
		return cli_error(cli, "'%s' needs an argument", kw);
	if (cli_parse_u64(argv[*i], &v) || v > UINT32_MAX)
		return cli_error(cli, "can't parse %s '%s'", kw, argv[*i]);
	*out = (uint32_t)v;
	++*i;
	return 0;
}

static int do_create(struct map_ctx *c, int argc, char **argv)
{
	if (argc < 1)
		return cli_error(c->cli, "'create' needs a FILE to pin the map at");
	const char *path = argv[0];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	bool have_type = false, have_key = false, have_value = false, have_entries = false;
	const char *name = NULL;
	int inner_fd = -1;
	for (int i = 1; i < argc;) {
		const char *kw = argv[i];
		int err = 0;
		if (!strcmp(kw, "type")) {
			if (have_type)
				return cli_error(c->cli, "map type already specified");
			if (++i >= argc)
				return cli_error(c->cli, "'type' needs an argument");
			if (cli_map_type_parse(argv[i], &a.map_type))
				return cli_error(c->cli, "unrecognized map type: %s", argv[i]);
			have_type = true;
			i++;
		} else if (!strcmp(kw, "key")) {
			err = parse_u32_arg(c->cli, kw, &i, argc, argv, &a.key_size);
			have_key = true;
		} else if (!strcmp(kw, "value")) {
			err = parse_u32_arg(c->cli, kw, &i, argc, argv, &a.value_size);
			have_value = true;
		} else if (!strcmp(kw, "entries")) {
			err = parse_u32_arg(c->cli, kw, &i, argc, argv, &a.max_entries);
			have_entries = true;
		} else if (!strcmp(kw, "flags")) {
			err = parse_u32_arg(c->cli, kw, &i, argc, argv, &a.map_flags);
		} else if (!strcmp(kw, "name")) {
			if (++i >= argc)
				return cli_error(c->cli, "'name' needs an argument");
			name = argv[i++];
			if (strlen(name) > BPF_OBJ_NAME_LEN - 1)
				return cli_error(c->cli, "map name '%s' is longer than %d characters", name,
						 BPF_OBJ_NAME_LEN - 1);
		} else if (!strcmp(kw, "inner_map")) {
			i++;
			struct cli_obj **v;
			size_t n;
			err = cli_objs_parse(&c->objs, CLI_MAP, &i, argc, argv, false, &v, &n);
			if (err)
				return err;
			inner_fd = cli_obj_fd(&c->objs, v[0]);
			free(v);
			if (inner_fd < 0)
				return cli_error(c->cli, "can't open the inner map: %s", cli_strerror(inner_fd));
		} else {
			return cli_error(c->cli, "unknown keyword '%s' (expected type, key, value, entries, name, flags, inner_map)", kw);
		}
		if (err)
			return err;
	}
	if (!have_type)
		return cli_error(c->cli, "map type not specified");
	if (!name)
		return cli_error(c->cli, "map name not specified");
	if (!have_key || !have_value || !have_entries)
		return cli_error(c->cli, "map %s not specified",
				 !have_key ? "key size" : !have_value ? "value size" : "max entries");
	memcpy(a.map_name, name, strlen(name));
	if (inner_fd >= 0)
		a.inner_map_fd = (uint32_t)inner_fd;
	int fd = cli_bpf(c->rt, BPF_MAP_CREATE, &a);
	if (fd < 0)
		return cli_error(c->cli, "map create failed: %s", cli_strerror(fd));
	int err = pin_fd(c->cli, c->rt, fd, path);
	if (err)
		return err;
	json_null(c->cli);
	return 0;
}

static int usage(const struct cli *cli, int rc)
{
	if (cli->json && !rc) {
		puts("null");
		return 0;
	}
	fprintf(stderr,
		"Usage: bpfrt map { show | list }   [MAP]\n"
		"       bpfrt map create     FILE type TYPE key KEY_SIZE value VALUE_SIZE \\\n"
		"                                  entries MAX_ENTRIES name NAME [flags FLAGS] \\\n"
		"                                  [inner_map MAP]\n"
		"       bpfrt map dump       MAP\n"
		"       bpfrt map update     MAP [key DATA] [value VALUE] [UPDATE_FLAGS]\n"
		"       bpfrt map lookup     MAP [key DATA]\n"
		"       bpfrt map getnext    MAP [key DATA]\n"
		"       bpfrt map delete     MAP  key DATA\n"
		"       bpfrt map pin        MAP  FILE\n"
		"       bpfrt map peek       MAP\n"
		"       bpfrt map push       MAP value VALUE\n"
		"       bpfrt map pop        MAP\n"
		"       bpfrt map enqueue    MAP value VALUE\n"
		"       bpfrt map dequeue    MAP\n"
		"       bpfrt map freeze     MAP\n"
		"       bpfrt map help\n"
		"\n"
		"       MAP := { id MAP_ID | pinned FILE | name MAP_NAME }\n"
		"       DATA := { [hex] BYTES }\n"
		"       VALUE := { DATA | MAP | PROG }\n"
		"       UPDATE_FLAGS := { any | exist | noexist }\n"
		"       TYPE := { hash | array | prog_array | perf_event_array | percpu_hash |\n"
		"                 percpu_array | lru_hash | lru_percpu_hash | lpm_trie |\n"
		"                 array_of_maps | hash_of_maps | queue | stack | ringbuf |\n"
		"                 bloom_filter | ... }\n"
		"       ids and names refer to the objects pinned under the pin root (docs/cli.md)\n");
	return rc;
}

int cmd_map(struct cli *cli, int argc, char **argv)
{
	if (argc < 1)
		return usage(cli, 255);
	const char *cmd = argv[0];
	if (!strcmp(cmd, "help"))
		return usage(cli, 0);
	static const char *const known[] = {"show", "list", "dump", "lookup", "update", "delete",
					    "getnext", "peek", "push", "pop", "enqueue", "dequeue",
					    "freeze", "pin", "create"};
	bool ok = false;
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
		ok |= !strcmp(cmd, known[k]);
	if (!ok)
		return cli_error(cli, "command '%s' is unknown, have you spelled it right?", cmd);
	struct map_ctx c = {.cli = cli, .fd = -1};
	c.rt = cli_runtime(cli);
	if (!c.rt)
		return 255;
	cli_objs_init(&c.objs, cli, c.rt);
	argc--, argv++;
	int rc;
	if (!strcmp(cmd, "show") || !strcmp(cmd, "list"))
		rc = do_show(&c, argc, argv);
	else if (!strcmp(cmd, "dump"))
		rc = do_dump(&c, argc, argv);
	else if (!strcmp(cmd, "lookup"))
		rc = do_lookup(&c, argc, argv);
	else if (!strcmp(cmd, "update"))
		rc = do_update(&c, argc, argv, false);
	else if (!strcmp(cmd, "push") || !strcmp(cmd, "enqueue"))
		rc = do_update(&c, argc, argv, true);
	else if (!strcmp(cmd, "delete"))
		rc = do_delete(&c, argc, argv);
	else if (!strcmp(cmd, "getnext"))
		rc = do_getnext(&c, argc, argv);
	else if (!strcmp(cmd, "peek"))
		rc = do_pop(&c, argc, argv, true);
	else if (!strcmp(cmd, "pop") || !strcmp(cmd, "dequeue"))
		rc = do_pop(&c, argc, argv, false);
	else if (!strcmp(cmd, "freeze"))
		rc = do_freeze(&c, argc, argv);
	else if (!strcmp(cmd, "pin"))
		rc = do_pin(&c, argc, argv);
	else
		rc = do_create(&c, argc, argv);
	bpfrt_btf_free(c.btf);
	cli_objs_free(&c.objs);
	bpfrt_free(c.rt);
	return rc;
}
