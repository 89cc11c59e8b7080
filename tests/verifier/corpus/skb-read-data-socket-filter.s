# type: socket_filter
# expect: reject
# error: invalid bpf_context access
# why: socket filters have no direct packet access
r0 = *(u32 *)(r1 + 76)
r0 = 0
exit
