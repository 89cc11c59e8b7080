# type: xdp
# maps: ringbuf 0 0 4096
# expect: reject
# error: BPF_EXIT instruction in main prog would lead to reference leak
# why: submitted on one path, leaked on the other
r6 = r1
ld_pseudo r1, 5, 0
r2 = 16
r3 = 0
call 131
if r0 == 0 goto out
r7 = r0
call 7
if r0 > 5 goto out
r1 = r7
r2 = 0
call 132
out:
r0 = 0
exit
