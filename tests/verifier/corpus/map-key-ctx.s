# type: xdp
# maps: array 4 48 1
# expect: reject
# error: R2 type=ctx expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_
# why: the ctx as the key pointer
r2 = r1
ld_pseudo r1, 5, 0
call 1
r0 = 0
exit
