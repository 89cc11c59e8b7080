# type: xdp
# maps: array 4 48 1
# expect: reject
# error: R2 offset is outside of the packet
# why: a packet key with fewer bytes checked than key_size
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 2
if r4 > r3 goto out
ld_pseudo r1, 5, 0
call 1
out:
r0 = 2
exit
