# type: xdp
# maps: ringbuf 0 0 4096; prog_array 4 4 4
# expect: reject
# error: tail_call would lead to reference leak
# why: a tail call that succeeds never returns, so a reserved ring buffer record would leak
r6 = r1
ld_pseudo r1, 5, 0
r2 = 8
r3 = 0
call 131
if r0 == 0 goto out
r7 = r0
r1 = r6
ld_pseudo r2, 5, 1
r3 = 0
call 12
r1 = r7
r2 = 0
call 133
out:
r0 = 2
exit
