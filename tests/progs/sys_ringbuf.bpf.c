/* sys_ringbuf.bpf.c — RINGBUF records: bpf_ringbuf_output of a struct,
 * reserve + submit of a record built in place, reserve + discard (not
 * delivered), and a reservation larger than the buffer (NULL).  User space
 * consumes and compares the records. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} rb SEC(".maps");

struct event {
	__u32 seq;
	__u32 kind;
	__u64 value;
	char tag[8];
};

__s64 rets[4];

SEC("syscall")
int sys_ringbuf(__u64 *ctx)
{
	struct event e = {.seq = 1, .kind = 10, .value = *ctx, .tag = "output"};
	rets[0] = bpf_ringbuf_output(&rb, &e, sizeof(e), 0);
	struct event *r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r)
		return -1;
	r->seq = 2;
	r->kind = 20;
	r->value = *ctx * 2;
	__builtin_memcpy(r->tag, "reserve", 8);
	bpf_ringbuf_submit(r, 0);
	struct event *d = bpf_ringbuf_reserve(&rb, sizeof(*d), 0);
	if (d) {
		d->seq = 3;
		bpf_ringbuf_discard(d, 0);
	}
	void *big = bpf_ringbuf_reserve(&rb, 8192, 0);
	rets[1] = big != 0;
	if (big)
		bpf_ringbuf_discard(big, 0);
	__u32 small = 0xabcdef01;
	rets[2] = bpf_ringbuf_output(&rb, &small, 3, 0);
	return 3;
}
