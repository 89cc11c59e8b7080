# type: socket_filter
# expect: reject
# error: invalid bpf_context access off=8 size=4
# why: socket filters may write only cb[]
*(u32 *)(r1 + 8) = 1
r0 = 0
exit
