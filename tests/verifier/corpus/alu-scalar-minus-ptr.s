# type: xdp
# expect: reject
# error: R2 tried to subtract pointer from scalar
# why: scalar minus pointer
r2 = 100
r2 -= r10
r0 = r2
exit
