# type: xdp
# maps: ringbuf 0 0 4096
# expect: reject
# error: R6 invalid mem access 'scalar'
# why: access after submit
ld_pseudo r1, 5, 0
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
r6 = r0
r1 = r0
r2 = 0
call 132
*(u64 *)(r6 + 0) = 1
out:
r0 = 0
exit
