# type: sched_cls
# expect: reject
# error: invalid bpf_context access off=0 size=4
# why: len is read-only
*(u32 *)(r1 + 0) = 1
r0 = 0
exit
