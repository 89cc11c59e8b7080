# type: sched_cls
# expect: accept
# why: tc programs may write cb[]
*(u32 *)(r1 + 52) = 1
r0 = 0
exit
