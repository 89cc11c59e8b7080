# type: sched_cls
# expect: reject
# error: invalid bpf_context access
# why: family is for sk_skb programs only
r0 = *(u32 *)(r1 + 88)
exit
