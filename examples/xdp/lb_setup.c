/* lb_setup.c — bpfrt-lb-setup: loads lb.bpf.c's object once so its maps
 * (all LIBBPF_PIN_BY_NAME) are created and pinned under the runtime's pin
 * root ($BPFRT_PIN_ROOT), then fills them with the demo's configuration
 * (lb_setup.h).  Any later load of the same object — `bpfrt net run xdp
 * file lb.o ...` — reuses those maps, so the configuration and the
 * counters are shared between processes, as with bpffs.
 *
 *   bpfrt-lb-setup LB.o [max_packets N]        (N: the per-source limit, 2000)
 */
#include "bpfrt/bpfrt.h"
#include "bpfrt/object.h"
#include "lb_setup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct setup_ctx {
	struct bpfrt *rt;
	struct bpfrt_object *obj;
};

static int update(void *p, const char *name, const void *key, const void *value)
{
	struct setup_ctx *c = p;
	struct bpfrt_object_map *m = bpfrt_object_find_map_by_name(c->obj, name);
	if (!m)
		return -2; /* ENOENT */
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.map_fd = (uint32_t)bpfrt_object_map_fd(m);
	a.key = (uintptr_t)key;
	a.value = (uintptr_t)value;
	return bpfrt_bpf(c->rt, BPF_MAP_UPDATE_ELEM, &a, sizeof(a));
}

int main(int argc, char **argv)
{
	uint64_t max_packets = 2000;
	if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "max_packets"))) {
		fprintf(stderr, "usage: %s LB.o [max_packets N]\n", argv[0]);
		return 2;
	}
	if (argc == 4)
		max_packets = strtoull(argv[3], NULL, 0);
	struct bpfrt_opts o = {.sz = sizeof(o)};
	struct setup_ctx c = {.rt = bpfrt_new(&o)};
	if (!c.rt) {
		perror("bpfrt_new");
		return 1;
	}
	struct bpfrt_diag diag = {0};
	c.obj = bpfrt_object_open_file(c.rt, argv[1], NULL, &diag);
	if (!c.obj || bpfrt_object_load(c.obj)) {
		fprintf(stderr, "%s: %s: %s\n", argv[0], argv[1], c.obj ? bpfrt_object_error(c.obj) : diag.msg);
		return 1;
	}
	int err = lb_setup(update, &c, max_packets);
	if (err) {
		fprintf(stderr, "%s: filling the maps: %s\n", argv[0], strerror(-err));
		return 1;
	}
	printf("lb-setup: 3 virtual services, %d backends, 2 Maglev tables of %d slots, 3 blocked prefixes, "
	       "at most %llu packets per source\n",
	       2 * LB_BACKENDS, LB_TABLE_SIZE, (unsigned long long)max_packets);
	bpfrt_object_close(c.obj);
	bpfrt_free(c.rt);
	return 0;
}
