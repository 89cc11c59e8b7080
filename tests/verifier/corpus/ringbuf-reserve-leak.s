# type: xdp
# maps: ringbuf 0 0 4096
# expect: reject
# error: BPF_EXIT instruction in main prog would lead to reference leak
# why: a reservation never submitted or discarded
ld_pseudo r1, 5, 0
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
*(u64 *)(r0 + 0) = 1
out:
r0 = 0
exit
