# type: sched_cls
# expect: accept
# why: tc programs may write priority
*(u32 *)(r1 + 32) = 1
r0 = 0
exit
