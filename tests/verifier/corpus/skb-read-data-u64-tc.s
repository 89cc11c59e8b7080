# type: sched_cls
# expect: reject
# error: invalid bpf_context access off=76 size=8
# why: __sk_buff.data must be read with a 4-byte load
r0 = *(u64 *)(r1 + 76)
r0 = 0
exit
