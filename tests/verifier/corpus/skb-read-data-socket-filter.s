# type: socket_filter
# expect: reject
# error: invalid bpf_context access off=76 size=4
# why: socket filters have no direct packet access
r0 = *(u32 *)(r1 + 76)
r0 = 0
exit
