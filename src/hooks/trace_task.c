/* trace_task.c — the syscall tracer's table of traced threads.  Each entry
 * caches what the "current task" helpers report (tgid, uid/gid, comm from
 * /proc/TID/status and /proc/TID/comm), read when the thread is first seen
 * and again after each execve, so a helper call costs no system call.
 * Lookups are linear with the last hit moved to the front: a traced command
 * has few threads, and consecutive stops are mostly the same thread's.
 */
#define _GNU_SOURCE
#include "hooks/trace_internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct trace_task *trace_task_find(struct trace_tasks *ts, pid_t tid)
{
	for (size_t i = 0; i < ts->n; i++) {
		if (ts->v[i]->tid != tid)
			continue;
		struct trace_task *t = ts->v[i];
		if (i) {
			ts->v[i] = ts->v[0];
			ts->v[0] = t;
		}
		return t;
	}
	return NULL;
}

static void read_small(const char *path, char *buf, size_t size)
{
	buf[0] = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
}

static uint32_t status_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	return p ? (uint32_t)strtoul(p + strlen(key), NULL, 10) : 0;
}

void trace_task_refresh(struct trace_task *t)
{
	char path[64], buf[2048];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)t->tid);
	read_small(path, buf, sizeof(buf));
	uint32_t tgid = status_field(buf, "\nTgid:");
	t->task.tgid = tgid ? (int32_t)tgid : t->tid;
	t->task.uid = status_field(buf, "\nUid:");
	t->task.gid = status_field(buf, "\nGid:");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)t->tid);
	read_small(path, buf, 17);
	buf[strcspn(buf, "\n")] = 0;
	memset(t->task.comm, 0, sizeof(t->task.comm));
	memcpy(t->task.comm, buf, strnlen(buf, 15));
}

struct trace_task *trace_task_add(struct trace_tasks *ts, pid_t tid)
{
	if (ts->n == ts->cap) {
		size_t cap = ts->cap ? ts->cap * 2 : 16;
		struct trace_task **v = realloc(ts->v, cap * sizeof(*v));
		if (!v)
			return NULL;
		ts->v = v;
		ts->cap = cap;
	}
	struct trace_task *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->tid = tid;
	t->task.sz = sizeof(t->task);
	t->task.tid = tid;
	trace_task_refresh(t);
	ts->v[ts->n++] = t;
	return t;
}

void trace_task_remove(struct trace_tasks *ts, pid_t tid)
{
	for (size_t i = 0; i < ts->n; i++) {
		if (ts->v[i]->tid != tid)
			continue;
		free(ts->v[i]);
		ts->v[i] = ts->v[--ts->n];
		return;
	}
}

void trace_tasks_free(struct trace_tasks *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		free(ts->v[i]);
	free(ts->v);
	*ts = (struct trace_tasks){0};
}
