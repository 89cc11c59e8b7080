# type: sched_cls
# expect: accept
# why: a spilled constant read back with a sign-extending load stays a constant, so the loop's exit is decided
*(u64 *)(r10 - 0x38) = -0x10
r0 = 0
r9 = *(s32 *)(r10 - 0x38)
if r9 s<= 0x1 goto l1
r0 = 1
l1:
exit
