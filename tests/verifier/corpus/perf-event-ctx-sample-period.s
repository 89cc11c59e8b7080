# type: perf_event
# expect: accept
# why: perf_event ctx: sample_period
r0 = *(u64 *)(r1 + 168)
r0 = 0
exit
