# type: sched_cls
# expect: reject
# error: invalid bpf_context access off=192 size=4
# why: offset 192 is past __sk_buff
r0 = *(u32 *)(r1 + 192)
exit
