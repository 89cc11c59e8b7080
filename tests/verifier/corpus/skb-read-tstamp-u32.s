# type: sched_cls
# expect: reject
# error: invalid bpf_context access off=152 size=4
# why: tstamp allows only 8-byte loads
r0 = *(u32 *)(r1 + 152)
exit
