# type: xdp
# maps: ringbuf 0 0 4096
# expect: accept
# why: ringbuf_output with a bounded variable size
*(u64 *)(r10 - 8) = 0
call 7
r3 = r0
r3 &= 7
r2 = r10
r2 += -8
ld_pseudo r1, 5, 0
r4 = 0
call 130
r0 = 0
exit
