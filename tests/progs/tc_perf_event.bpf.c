/* tc_perf_event.bpf.c — bpf_perf_event_output into a PERF_EVENT_ARRAY
 * nobody has opened: the helper's error (-ENOENT in the kernel, as no
 * perf event sits at the CPU's slot) is recorded in .bss and returned. */
#include "common.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

__s64 output_err;

SEC("tc")
int tc_perf_event(struct __sk_buff *skb)
{
	struct {
		__u32 len;
		__u32 proto;
	} ev = {skb->len, skb->protocol};
	output_err = bpf_perf_event_output(skb, &events, BPF_F_CURRENT_CPU, &ev, sizeof(ev));
	return output_err < 0 ? -output_err : 0;
}
