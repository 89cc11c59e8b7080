/* runtime.c — creating and freeing a runtime, helper registration and the
 * runtime's allocator (with the fail-the-Nth-allocation testing hook). */
#include "core/runtime.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
	bpfrt_helpers_register_defaults(rt);
	return rt;
}

void bpfrt_free(struct bpfrt *rt)
{
	if (!rt)
		return;
	for (int i = 0; i < BPFRT_MAX_HELPERS; i++)
		free(rt->helpers[i].name);
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
