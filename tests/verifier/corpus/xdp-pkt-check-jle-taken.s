# type: xdp
# expect: accept
# why: the read in the taken branch of p + 4 <= data_end
r2 = *(u32 *)(r1 + 0)
r3 = *(u32 *)(r1 + 4)
r4 = r2
r4 += 4
if r4 <= r3 goto ok
r0 = 1
exit
ok:
r0 = *(u32 *)(r2 + 0)
exit
