# type: xdp
# maps: array 4 48 1
# expect: reject
# error: cannot pass map_type 2 into func bpf_ringbuf_reserve#131
# why: ringbuf_reserve on an array map
ld_pseudo r1, 5, 0
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
r1 = r0
r2 = 0
call 132
out:
r0 = 0
exit
