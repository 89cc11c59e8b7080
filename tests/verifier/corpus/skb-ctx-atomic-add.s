# type: sched_cls
# expect: reject
# error: ctx
# why: atomic operations on ctx are not allowed
r2 = 1
lock *(u32 *)(r1 + 8) += r2
r0 = 0
exit
