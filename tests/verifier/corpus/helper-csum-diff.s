# type: sched_cls
# expect: accept
# why: bpf_csum_diff over stack buffers (sizes multiple of 4)
*(u64 *)(r10 - 8) = 0
r1 = r10
r1 += -8
r2 = 8
r3 = 0
r4 = 0
r5 = 0
call 28
r0 = 0
exit
