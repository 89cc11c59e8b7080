# type: sched_cls
# expect: reject
# error: invalid bpf_context access off=9 size=2
# why: a narrow load must be aligned to its size
r0 = *(u16 *)(r1 + 9)
exit
