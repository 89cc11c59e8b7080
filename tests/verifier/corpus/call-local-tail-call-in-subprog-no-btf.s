# type: xdp
# maps: prog_array 4 4 4
# expect: reject
# error: tail_call is not allowed in subprogs without BTF
# why: tail calls from subprograms need BTF
call f
r0 = 2
exit
f:
ld_pseudo r2, 5, 0
r3 = 0
call 12
r0 = 0
exit
