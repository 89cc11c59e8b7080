# type: sched_cls
# expect: reject
# error: invalid bpf_context access
# why: offset 192 is past __sk_buff
r0 = *(u32 *)(r1 + 192)
exit
