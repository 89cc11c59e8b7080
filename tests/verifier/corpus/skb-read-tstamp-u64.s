# type: sched_cls
# expect: accept
# why: tstamp is an 8-byte field
r0 = *(u64 *)(r1 + 152)
r0 = 0
exit
