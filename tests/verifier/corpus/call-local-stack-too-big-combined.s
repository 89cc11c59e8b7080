# type: xdp
# expect: reject
# error: combined stack size of 2 calls is 528. Too large
# why: caller 256 + callee 288 (rounded to 32) bytes of stack > 512
*(u64 *)(r10 - 256) = 0
call f
exit
f:
*(u64 *)(r10 - 264) = 0
r0 = 0
exit
