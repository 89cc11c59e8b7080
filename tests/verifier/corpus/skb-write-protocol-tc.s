# type: sched_cls
# expect: reject
# error: invalid bpf_context access
# why: protocol is read-only
*(u32 *)(r1 + 16) = 1
r0 = 0
exit
