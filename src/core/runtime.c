/* runtime.c — creating and freeing a runtime, helper registration and the
 * runtime's allocator (with the fail-the-Nth-allocation testing hook). */
#include "core/runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void *bpfrt_alloc(struct bpfrt *rt, size_t size)
{
	if (rt) {
		uint64_t n = __atomic_add_fetch(&rt->alloc_count, 1, __ATOMIC_RELAXED);
		if (rt->fail_alloc_nth && n == rt->fail_alloc_nth) {
			errno = ENOMEM;
			return NULL;
		}
	}
	return malloc(size);
}

void *bpfrt_zalloc(struct bpfrt *rt, size_t size)
{
	void *p = bpfrt_alloc(rt, size);
	if (p)
		memset(p, 0, size);
	return p;
}

/* The pin root: the option, else $BPFRT_PIN_ROOT, else /run/bpfrt for
 * root and /tmp/bpfrt-UID for others.  Map storage is created there so
 * that pinning (a hard link) works anywhere on the same filesystem. */
static char *default_pin_root(const char *opt)
{
	const char *env = getenv("BPFRT_PIN_ROOT");
	char buf[64];
	if (opt && *opt)
		return strdup(opt);
	if (env && *env)
		return strdup(env);
	if (geteuid() == 0)
		return strdup("/run/bpfrt");
	snprintf(buf, sizeof(buf), "/tmp/bpfrt-%u", (unsigned)geteuid());
	return strdup(buf);
}

const char *bpfrt_pin_root(const struct bpfrt *rt)
{
	return rt->pin_root;
}

static const char *const engine_names[] = {
	[BPFRT_ENGINE_JIT] = "jit",
	[BPFRT_ENGINE_INTERP] = "interp",
	[BPFRT_ENGINE_CHECKED] = "checked",
};

int bpfrt_engine_parse(const char *name)
{
	for (int e = BPFRT_ENGINE_JIT; name && e <= BPFRT_ENGINE_CHECKED; e++)
		if (!strcmp(name, engine_names[e]))
			return e;
	return -EINVAL;
}

const char *bpfrt_engine_name(enum bpfrt_engine engine)
{
	return engine >= BPFRT_ENGINE_JIT && engine <= BPFRT_ENGINE_CHECKED ? engine_names[engine] : NULL;
}

enum bpfrt_engine bpfrt_engine(const struct bpfrt *rt)
{
	return rt->engine;
}

uint32_t bpfrt_engine_run_flags(const struct bpfrt *rt)
{
	return rt->engine == BPFRT_ENGINE_JIT ? BPFRT_RUN_JIT
	       : rt->engine == BPFRT_ENGINE_CHECKED ? BPFRT_RUN_CHECKED
						    : 0;
}

/* The option, else $BPFRT_ENGINE, else the JIT; a bad name is EINVAL
 * rather than a silent change of engine. */
static int default_engine(uint32_t opt)
{
	if (opt != BPFRT_ENGINE_DEFAULT)
		return bpfrt_engine_name((enum bpfrt_engine)opt) ? (int)opt : -EINVAL;
	const char *env = getenv("BPFRT_ENGINE");
	if (env && *env)
		return bpfrt_engine_parse(env);
	return BPFRT_ENGINE_JIT;
}

int bpfrt_close(struct bpfrt *rt, int fd)
{
	int err = rt ? bpfrt_fd_close(rt, fd) : -EINVAL;
	if (err)
		errno = -err;
	return err;
}

struct bpfrt *bpfrt_new(const struct bpfrt_opts *opts)
{
	if (opts && opts->sz < sizeof(size_t)) {
		errno = EINVAL;
		return NULL;
	}
	struct bpfrt *rt = calloc(1, sizeof(*rt));
	if (!rt) {
		errno = ENOMEM;
		return NULL;
	}
	if (opts && opts->sz >= offsetof(struct bpfrt_opts, fail_alloc_nth) + sizeof(uint64_t))
		rt->fail_alloc_nth = opts->fail_alloc_nth;
	const char *root = opts && opts->sz >= offsetof(struct bpfrt_opts, pin_root) + sizeof(char *)
				   ? opts->pin_root
				   : NULL;
	int engine = default_engine(opts && opts->sz >= offsetof(struct bpfrt_opts, engine) + sizeof(uint32_t)
					    ? opts->engine
					    : BPFRT_ENGINE_DEFAULT);
	if (engine < 0) {
		free(rt);
		errno = EINVAL;
		return NULL;
	}
	rt->engine = (enum bpfrt_engine)engine;
	rt->pin_root = default_pin_root(root);
	if (!rt->pin_root) {
		free(rt);
		errno = ENOMEM;
		return NULL;
	}
	pthread_mutex_init(&rt->lock, NULL);
	pthread_rwlock_init(&rt->fd_lock, NULL);
	bpfrt_helpers_register_defaults(rt);
	return rt;
}

void bpfrt_free(struct bpfrt *rt)
{
	if (!rt)
		return;
	/* Closing every fd drops the last references of unpinned objects. */
	for (uint32_t fd = 0; fd < rt->fd_cap; fd++)
		if (rt->fds[fd])
			bpfrt_fd_close(rt, (int)fd);
	bpfrt_deferred_drain(rt);
	free(rt->fds);
	for (int t = 0; t < BPFRT_OBJ_TYPE_COUNT; t++)
		free(rt->ids[t].objs);
	for (int i = 0; i < BPFRT_MAX_HELPERS; i++)
		free(rt->helpers[i].name);
	bpfrt_trace_pipe_close(rt);
	pthread_mutex_destroy(&rt->lock);
	pthread_rwlock_destroy(&rt->fd_lock);
	free(rt->pin_root);
	free(rt);
}

int bpfrt_register_helper(struct bpfrt *rt, uint32_t id, const char *name, bpfrt_helper_fn fn)
{
	if (!rt || id >= BPFRT_MAX_HELPERS) {
		errno = EINVAL;
		return -EINVAL;
	}
	char *copy = NULL;
	if (fn && name && !(copy = strdup(name))) {
		errno = ENOMEM;
		return -ENOMEM;
	}
	free(rt->helpers[id].name);
	rt->helpers[id].fn = fn;
	rt->helpers[id].name = copy;
	return 0;
}

const char *bpfrt_helper_name(const struct bpfrt *rt, uint32_t id)
{
	if (!rt || id >= BPFRT_MAX_HELPERS || !rt->helpers[id].fn)
		return NULL;
	return rt->helpers[id].name ? rt->helpers[id].name : "";
}
