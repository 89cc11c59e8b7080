# type: xdp
# expect: accept
# why: a bpf-to-bpf call returning a value
call f
exit
f:
r0 = 2
exit
