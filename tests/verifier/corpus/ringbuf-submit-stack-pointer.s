# type: xdp
# maps: ringbuf 0 0 4096
# expect: reject
# error: R1 type=fp expected=ringbuf_mem
# why: submit a pointer that is not a reservation
r1 = r10
r1 += -8
r2 = 0
call 132
r0 = 0
exit
