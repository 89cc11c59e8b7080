/* expect: reject */
/* why: bpf_trace_printk is GPL-only; this object says Proprietary */
#include "corpus.h"
SEC("kprobe/do_nanosleep") int prog(void *ctx)
{
	bpf_printk("hi");
	return 0;
}
char LICENSE[] SEC("license") = "Proprietary";
