/* map_batch.c — STUB: the *_BATCH commands (to be implemented). */
#include "maps/map.h"

#include <errno.h>

int bpfrt_cmd_map_batch(struct bpfrt *rt, int cmd, union bpf_attr *attr)
{
	(void)rt, (void)cmd, (void)attr;
	return -ENOTSUPP;
}
