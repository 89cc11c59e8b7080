# type: xdp
# maps: ringbuf 0 0 4096
# expect: reject
# error: R2 is not a known constant'
# why: ringbuf_reserve's size must be a known constant
call 7
r2 = r0
r2 &= 15
ld_pseudo r1, 5, 0
r3 = 0
call 131
if r0 == 0 goto out
r1 = r0
r2 = 0
call 132
out:
r0 = 0
exit
