# type: xdp
# maps: array 4 8 1
# expect: reject
# error: cannot pass map_type 2 into func bpf_map_push_elem#87
# why: map_push_elem on an array
*(u64 *)(r10 - 8) = 1
r2 = r10
r2 += -8
r3 = 0
ld_pseudo r1, 5, 0
call 87
r0 = 0
exit
