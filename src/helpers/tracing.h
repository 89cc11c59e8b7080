/* tracing.h — registration of the tracing helpers that describe the
 * current task beyond its ids: task.c (bpf_get_current_task,
 * bpf_get_ns_current_pid_tgid, bpf_get_attach_cookie) and stack.c
 * (bpf_get_stack).  bpfrt_helpers_register_defaults() calls
 * bpfrt_helpers_register_tracing(), which registers both files.
 */
#ifndef BPFRT_HELPERS_TRACING_H
#define BPFRT_HELPERS_TRACING_H

struct bpfrt;

void bpfrt_helpers_register_tracing(struct bpfrt *rt);
void bpfrt_helpers_register_stack(struct bpfrt *rt);

#endif
