# type: sched_cls
# expect: accept
# why: narrow 2-byte load of the upper half of mark
r0 = *(u16 *)(r1 + 10)
exit
