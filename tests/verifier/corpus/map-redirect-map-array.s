# type: xdp
# maps: array 4 48 1
# expect: reject
# error: cannot pass map_type 2 into func bpf_redirect_map#51
# why: bpf_redirect_map needs a devmap/cpumap/xskmap
ld_pseudo r1, 5, 0
r2 = 0
r3 = 0
call 51
exit
