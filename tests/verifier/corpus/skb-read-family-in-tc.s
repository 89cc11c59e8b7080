# type: sched_cls
# expect: reject
# error: invalid bpf_context access off=88 size=4
# why: family is for sk_skb programs only
r0 = *(u32 *)(r1 + 88)
exit
