# type: xdp
# maps: array 4 48 1
# expect: reject
# error: only read from bpf_array is supported
# why: writing through a map pointer
ld_pseudo r1, 5, 0
*(u64 *)(r1 + 0) = 0
r0 = 0
exit
