# type: sched_cls
# expect: reject
# error: invalid bpf_context access off=8 size=2
# why: ctx writes must be full-size
*(u16 *)(r1 + 8) = 1
r0 = 0
exit
