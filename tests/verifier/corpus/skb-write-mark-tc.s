# type: sched_cls
# expect: accept
# why: tc programs may write mark
r2 = 5
*(u32 *)(r1 + 8) = r2
r0 = 0
exit
