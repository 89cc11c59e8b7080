# type: kprobe
# maps: array 4 4 1
# expect: reject
# error: cannot pass map_type 2 into func bpf_perf_event_output#25
# why: bpf_perf_event_output with a plain array
r6 = r1
*(u64 *)(r10 - 8) = 0
r1 = r6
ld_pseudo r2, 5, 0
r3 = 0
r4 = r10
r4 += -8
r5 = 8
call 25
r0 = 0
exit
