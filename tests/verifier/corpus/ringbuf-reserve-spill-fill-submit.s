# type: xdp
# maps: ringbuf 0 0 4096
# expect: accept
# why: a reservation spilled to the stack and filled keeps its reference
ld_pseudo r1, 5, 0
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
*(u64 *)(r10 - 8) = r0
r1 = *(u64 *)(r10 - 8)
r2 = 0
call 132
out:
r0 = 0
exit
