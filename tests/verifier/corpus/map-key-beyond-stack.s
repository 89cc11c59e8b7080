# type: xdp
# maps: hash 8 16 128
# expect: reject
# error: invalid read from stack R2 off=-4 size=8
# why: an 8-byte key at fp-4 runs past the frame
*(u32 *)(r10 - 4) = 0
r2 = r10
r2 += -4
ld_pseudo r1, 5, 0
call 1
r0 = 0
exit
