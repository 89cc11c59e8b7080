# type: xdp
# expect: reject
# error: R0 invalid mem access 'scalar'
# why: a helper's scalar return value cannot be dereferenced
call 5
r0 = *(u64 *)(r0 + 0)
exit
