# type: xdp
# maps: ringbuf 0 0 4096
# expect: reject
# error: R1 type=ringbuf_mem_or_null expected=ringbuf_mem
# why: submit without the NULL check
ld_pseudo r1, 5, 0
r2 = 16
r3 = 0
call 131
r1 = r0
r2 = 0
call 132
r0 = 0
exit
