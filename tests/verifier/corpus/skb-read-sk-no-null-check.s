# type: sched_cls
# expect: reject
# error: invalid mem access
# why: __sk_buff.sk dereferenced without a NULL check
r1 = *(u64 *)(r1 + 168)
r0 = *(u32 *)(r1 + 4)
r0 = 0
exit
