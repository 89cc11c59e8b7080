# type: xdp
# expect: reject
# error: invalid bpf_context access off=0 size=8
# why: xdp_md fields are 4 bytes: an 8-byte load is invalid
r0 = *(u64 *)(r1 + 0)
r0 = 0
exit
