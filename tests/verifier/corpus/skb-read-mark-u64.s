# type: sched_cls
# expect: reject
# error: invalid bpf_context access off=8 size=8
# why: an 8-byte load of a 4-byte field
r0 = *(u64 *)(r1 + 8)
exit
