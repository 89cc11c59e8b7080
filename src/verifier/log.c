/* log.c — the verifier log (the kernel's log_level 1 and 2 text) and the
 * pieces of bpfrt's readable summary: the error, the source line it comes
 * from, the registers involved and a hint on how programs usually fix it.
 * The first error wins: later messages on the same path only add context.
 */
#include "verifier/state.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void log_append(struct vf_env *env, const char *s, size_t n)
{
	if (!env->log_buf || env->log_size < 2)
		return;
	size_t room = env->log_size - 1 - env->log_len;
	if (n > room) {
		n = room;
		env->log_truncated = true;
	}
	memcpy(env->log_buf + env->log_len, s, n);
	env->log_len += (uint32_t)n;
	env->log_buf[env->log_len] = 0;
}

static void vlog(struct vf_env *env, const char *fmt, va_list ap)
{
	char buf[1024];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return;
	log_append(env, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void vf_log(struct vf_env *env, const char *fmt, ...)
{
	if (!env->log_level)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(env, fmt, ap);
	va_end(ap);
}

int vf_error(struct vf_env *env, int err, const char *fmt, ...)
{
	char msg[sizeof(env->err_msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!env->err) {
		env->err = err;
		env->err_insn = (int32_t)env->insn_idx;
		snprintf(env->err_msg, sizeof(env->err_msg), "%s", msg);
	}
	if (env->log_level)
		vf_log(env, "%s\n", msg);
	return err;
}

void vf_hint(struct vf_env *env, const char *fmt, ...)
{
	if (env->err_hint[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(env->err_hint, sizeof(env->err_hint), fmt, ap);
	va_end(ap);
}

void vf_note_reg(struct vf_env *env, uint32_t regno, const struct vf_reg *r)
{
	size_t n = strlen(env->err_regs);
	if (n >= sizeof(env->err_regs) - 8)
		return;
	char tmp[256];
	vf_reg_print(tmp, sizeof(tmp), r);
	snprintf(env->err_regs + n, sizeof(env->err_regs) - n, "%sR%u=%s", n ? " " : "", regno, tmp);
}

int32_t vf_insn_line(const struct vf_env *env, uint32_t insn, const char **file, const char **text)
{
	const struct bpfrt_verifier_line *best = NULL;
	for (uint32_t i = 0; i < env->nr_lines; i++) {
		if (env->lines[i].insn > insn)
			break;
		best = &env->lines[i];
	}
	if (!best)
		return 0;
	if (file)
		*file = best->file;
	if (text)
		*text = best->text;
	return (int32_t)best->line;
}

void vf_log_state(struct vf_env *env, const struct vf_state *st)
{
	if (!env->log_level)
		return;
	for (uint32_t f = 0; f <= st->curframe; f++) {
		const struct vf_frame *fr = st->frames[f];
		if (st->curframe)
			vf_log(env, "frame%u: ", f);
		for (int i = 0; i < VF_MAX_REGS; i++) {
			if (fr->regs[i].type == NOT_INIT)
				continue;
			char tmp[300];
			vf_reg_print(tmp, sizeof(tmp), &fr->regs[i]);
			vf_log(env, "R%d=%s ", i, tmp);
		}
		for (uint32_t s = 0; s < fr->nslots; s++) {
			const struct vf_slot *sl = &fr->stack[s];
			char kinds[9];
			bool any = false;
			for (int b = 0; b < 8; b++) {
				static const char k[] = {'?', 'm', '0', 'r'};
				kinds[7 - b] = k[sl->kind[b] & 3];
				any |= sl->kind[b] != STACK_INVALID;
			}
			kinds[8] = 0;
			if (!any)
				continue;
			if (sl->kind[0] == STACK_SPILL && sl->kind[7] == STACK_SPILL) {
				char tmp[300];
				vf_reg_print(tmp, sizeof(tmp), &sl->spilled);
				vf_log(env, "fp%d=%s ", -8 * (s + 1), tmp);
			} else {
				vf_log(env, "fp%d=%s ", -8 * (s + 1), kinds);
			}
		}
		vf_log(env, "\n");
	}
}
