# type: xdp
# expect: accept
# why: privileged (CAP_PERFMON) programs may read uninitialised stack
r0 = *(u64 *)(r10 - 8)
exit
