# type: sched_cls
# expect: reject
# error: invalid bpf_context access
# why: len is read-only
*(u32 *)(r1 + 0) = 1
r0 = 0
exit
