# type: xdp
# maps: hash 4 16 8
# expect: reject
# error: invalid read from stack R3 off=-8 size=16
# why: a 16-byte value from fp-8 runs past the frame
*(u32 *)(r10 - 4) = 0
*(u64 *)(r10 - 16) = 0
r2 = r10
r2 += -4
r3 = r10
r3 += -8
r4 = 0
ld_pseudo r1, 5, 0
call 2
r0 = 0
exit
