# type: kprobe
# expect: reject
# error: cannot call GPL-restricted function from non-GPL compatible program
# license: MIT
# why: bpf_probe_read (gpl_only) from a non-GPL program
r1 = r10
r1 += -8
r2 = 8
r3 = 0
call 4
r0 = 0
exit
