# type: xdp
# expect: accept
# why: signed division (v4) by -1
r0 = -5
r0 s/= -1
exit
