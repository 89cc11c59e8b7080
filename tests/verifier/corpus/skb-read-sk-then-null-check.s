# type: sched_cls
# expect: accept
# why: __sk_buff.sk is a socket pointer or NULL; checked before use
r1 = *(u64 *)(r1 + 168)
if r1 == 0 goto out
r0 = *(u32 *)(r1 + 4)
out:
r0 = 0
exit
