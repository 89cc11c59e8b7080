# type: xdp
# maps: ringbuf 0 0 4096
# expect: reject
# error: R1 must have zero offset when passed to release func or trusted arg to kfunc
# why: submit a reservation pointer moved by 8
ld_pseudo r1, 5, 0
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
r0 += 8
r1 = r0
r2 = 0
call 132
out:
r0 = 0
exit
