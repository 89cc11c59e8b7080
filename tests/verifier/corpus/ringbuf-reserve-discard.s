# type: xdp
# maps: ringbuf 0 0 4096
# expect: accept
# why: reserve then discard
ld_pseudo r1, 5, 0
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
r1 = r0
r2 = 0
call 133
out:
r0 = 0
exit
