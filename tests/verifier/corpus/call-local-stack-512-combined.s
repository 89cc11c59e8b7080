# type: xdp
# expect: accept
# why: caller 256 + callee 256 bytes of stack = 512
*(u64 *)(r10 - 256) = 0
call f
exit
f:
*(u64 *)(r10 - 256) = 0
r0 = 0
exit
