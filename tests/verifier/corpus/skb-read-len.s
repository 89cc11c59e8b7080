# type: sched_cls
# expect: accept
# why: __sk_buff.len readable
r0 = *(u32 *)(r1 + 0)
exit
