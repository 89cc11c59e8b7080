# type: sched_cls
# expect: reject
# error: invalid bpf_context access
# why: a narrow load must be aligned to its size
r0 = *(u16 *)(r1 + 9)
exit
