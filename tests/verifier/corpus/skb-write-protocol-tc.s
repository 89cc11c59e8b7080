# type: sched_cls
# expect: reject
# error: invalid bpf_context access off=16 size=4
# why: protocol is read-only
*(u32 *)(r1 + 16) = 1
r0 = 0
exit
