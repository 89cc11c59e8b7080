# type: xdp
# maps: ringbuf 0 0 4096
# expect: reject
# error: BPF_EXIT instruction in main prog would lead to reference leak
# why: a reservation made in the callee and never released
call f
r0 = 0
exit
f:
ld_pseudo r1, 5, 0
r2 = 8
r3 = 0
call 131
r0 = 0
exit
