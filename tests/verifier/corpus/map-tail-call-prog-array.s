# type: xdp
# maps: prog_array 4 4 4
# expect: accept
# why: bpf_tail_call with a prog_array
ld_pseudo r2, 5, 0
r3 = 0
call 12
r0 = 2
exit
