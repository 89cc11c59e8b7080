# type: sched_cls
# expect: reject
# error: R2 offset is outside of the packet
# why: tc direct packet read without a check
r2 = *(u32 *)(r1 + 76)
r3 = *(u32 *)(r1 + 80)
r0 = *(u16 *)(r2 + 12)
r0 = 0
exit
