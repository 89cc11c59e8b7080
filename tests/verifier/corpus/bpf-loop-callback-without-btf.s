# type: xdp
# expect: reject
# error: missing btf func_info
# why: a callback (BPF_PSEUDO_FUNC) needs BTF func_info
r1 = 3
ld_pseudo r2, 4, 6
r3 = 0
r4 = 0
call 181
r0 = 0
exit
r0 = 0
exit
