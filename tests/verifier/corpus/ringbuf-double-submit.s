# type: xdp
# maps: ringbuf 0 0 4096
# expect: reject
# error: R1 type=scalar expected=ringbuf_mem
# why: submitting the same reservation twice
ld_pseudo r1, 5, 0
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
r6 = r0
r1 = r6
r2 = 0
call 132
r1 = r6
r2 = 0
call 132
out:
r0 = 0
exit
