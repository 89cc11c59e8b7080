# type: xdp
# expect: reject
# error: R1 invalid mem access 'scalar'
# why: atomic on a scalar address
r1 = 4096
r2 = 1
lock *(u64 *)(r1 + 0) += r2
r0 = 0
exit
