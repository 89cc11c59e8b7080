# type: xdp
# expect: reject
# error: frame pointer is read only
# why: a load into r10 is a write to r10
*(u64 *)(r10 - 8) = 0
r10 = *(u64 *)(r10 - 8)
r0 = 0
exit
