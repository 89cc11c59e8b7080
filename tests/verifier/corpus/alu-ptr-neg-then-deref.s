# type: xdp
# expect: reject
# error: R2 invalid mem access 'scalar'
# why: a negated pointer is a scalar and cannot be dereferenced
r2 = r10
r2 = -r2
r0 = *(u64 *)(r2 + 0)
exit
