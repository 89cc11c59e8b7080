# type: kprobe
# expect: reject
# error: R1 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
# why: ctx as the destination buffer of probe_read_kernel
r2 = 8
r3 = 0
call 113
r0 = 0
exit
