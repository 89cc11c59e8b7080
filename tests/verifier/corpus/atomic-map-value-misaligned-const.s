# type: xdp
# maps: array 4 8 1
# expect: reject
# unsafe: yes
# why: atomic on a map value at a misaligned constant offset (atomics are always strictly aligned)
ld_pseudo r2, 6, 0, 2
r0 = 0
w0 = atomic_fetch_add((u32 *)(r2 + 0), w0)
r0 = 0
exit
