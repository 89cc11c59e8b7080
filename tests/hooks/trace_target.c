/* trace_target.c — the traced program of tests/hooks/test_trace.c: it opens
 * known files from the main thread, a forked child and a second thread,
 * tries a missing file and an unwritable one, then writes who did what
 * (pids and tids) to a report file and execs argv[REPORT + 1...] if given.
 *
 *   trace_target REPORT DIR [COMMAND ARGS...]
 * opens DIR/main (main thread), DIR/child (forked child), DIR/thread (a
 * thread), DIR/missing (ENOENT), writes DIR/written (O_WRONLY|O_CREAT);
 * the report holds "main PID TID", "child PID", "thread TID", one per line,
 * and "written ERRNO" (0 when the write open succeeded).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *dir;
static pid_t thread_tid;

static void open_close(const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = openat(AT_FDCWD, path, O_RDONLY);
	if (fd >= 0)
		close(fd);
}

static void *thread_main(void *arg)
{
	(void)arg;
	thread_tid = (pid_t)syscall(SYS_gettid);
	open_close("thread");
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: trace_target REPORT DIR [COMMAND ARGS...]\n");
		return 2;
	}
	dir = argv[2];
	open_close("main");
	pid_t child = fork();
	if (child == 0) {
		open_close("child");
		_exit(0);
	}
	int st;
	waitpid(child, &st, 0);
	pthread_t th;
	if (pthread_create(&th, NULL, thread_main, NULL))
		return 3;
	pthread_join(th, NULL);
	open_close("missing");
	char path[4096];
	snprintf(path, sizeof(path), "%s/written", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	int werr = fd < 0 ? errno : 0;
	if (fd >= 0) {
		(void)!write(fd, "x", 1);
		close(fd);
	}
	FILE *r = fopen(argv[1], "w");
	if (!r)
		return 4;
	fprintf(r, "main %d %d\nchild %d\nthread %d\nwritten %d\n", (int)getpid(), (int)syscall(SYS_gettid),
		(int)child, (int)thread_tid, werr);
	fclose(r);
	if (argc > 3) {
		execvp(argv[3], argv + 3);
		return 5;
	}
	return 0;
}
