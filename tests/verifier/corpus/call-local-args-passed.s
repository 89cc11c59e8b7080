# type: xdp
# expect: accept
# why: the callee reads r1-r2 the caller set
r1 = 1
r2 = 2
call f
exit
f:
r0 = r1
r0 += r2
exit
