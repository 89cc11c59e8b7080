# type: xdp
# expect: reject
# error: cannot return stack pointer to the caller
# why: the callee returns a pointer into its own stack
call f
r0 = 0
exit
f:
r0 = r10
r0 += -8
exit
