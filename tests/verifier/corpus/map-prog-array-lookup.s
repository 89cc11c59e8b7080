# type: xdp
# maps: prog_array 4 4 4
# expect: reject
# error: cannot pass map_type 3 into func bpf_map_lookup_elem#1
# why: map_lookup_elem on a prog_array
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
r0 = 0
exit
