# type: syscall
# expect: accept
# why: syscall programs read their user-supplied ctx (sleepable)
r0 = 0
exit
