# type: xdp
# expect: accept
# why: ctx passed to a callee and read there
call f
exit
f:
r0 = *(u32 *)(r1 + 12)
exit
