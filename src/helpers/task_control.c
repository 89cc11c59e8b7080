/* task_control.c — helpers that act on the run's task (struct bpfrt_task,
 * a thread of a traced process): bpf_override_return (deny a syscall with an
 * errno, or replace its result) and bpf_send_signal(_thread).  They only
 * record the request in the task; the hook that ran the program acts on it
 * after the run (src/hooks/trace.c), as the kernel defers a BPF signal to
 * the task's return to user mode.  Without a task there is nobody to act
 * on: -EPERM (the kernel's answer for a kernel thread) and -EINVAL.
 */
#include "helpers/helpers.h"

#include <errno.h>
#include <signal.h>

static uint64_t h_override_return(uint64_t ctx, uint64_t rc, uint64_t c, uint64_t d, uint64_t e,
				  struct bpfrt_run *run)
{
	(void)ctx, (void)c, (void)d, (void)e;
	struct bpfrt_task *t = bpfrt_run_task(run);
	if (!t)
		return (uint64_t)-EINVAL;
	t->override_set = true;
	t->override_ret = (int64_t)rc;
	return 0;
}

static uint64_t send_signal(struct bpfrt_run *run, uint64_t sig, bool thread)
{
	struct bpfrt_task *t = bpfrt_run_task(run);
	/* The kernel: sig must be a valid signal number (1.._NSIG-1), and a
	 * signal for a kernel thread or init is refused with -EPERM. */
	if (sig == 0 || sig >= (uint64_t)_NSIG)
		return (uint64_t)-EINVAL;
	if (!t || t->tgid == 1)
		return (uint64_t)-EPERM;
	if (t->signal)
		return (uint64_t)-EBUSY; /* one pending request per event, as the kernel's irq_work */
	t->signal = (int)sig;
	t->signal_thread = thread;
	return 0;
}

static uint64_t h_send_signal(uint64_t sig, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
			      struct bpfrt_run *run)
{
	(void)b, (void)c, (void)d, (void)e;
	return send_signal(run, sig, false);
}

static uint64_t h_send_signal_thread(uint64_t sig, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
				     struct bpfrt_run *run)
{
	(void)b, (void)c, (void)d, (void)e;
	return send_signal(run, sig, true);
}

void bpfrt_helpers_register_task_control(struct bpfrt *rt)
{
	bpfrt_register_helper(rt, BPF_FUNC_override_return, "override_return", h_override_return);
	bpfrt_register_helper(rt, BPF_FUNC_send_signal, "send_signal", h_send_signal);
	bpfrt_register_helper(rt, BPF_FUNC_send_signal_thread, "send_signal_thread", h_send_signal_thread);
}
