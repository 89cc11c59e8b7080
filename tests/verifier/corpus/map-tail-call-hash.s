# type: xdp
# maps: hash 4 4 4
# expect: reject
# error: expected prog array map for tail call
# why: bpf_tail_call with a hash map
ld_pseudo r2, 5, 0
r3 = 0
call 12
r0 = 2
exit
