# type: sched_cls
# expect: reject
# error: R1 invalid mem access 'sock_common_or_null'
# why: __sk_buff.sk dereferenced without a NULL check
r1 = *(u64 *)(r1 + 168)
r0 = *(u32 *)(r1 + 4)
r0 = 0
exit
