# type: xdp
# expect: accept
# why: sign-extending moves (v4)
r1 = 255
r0 = (s8)r1
w0 = (s16)w1
r0 = (s32)r1
exit
