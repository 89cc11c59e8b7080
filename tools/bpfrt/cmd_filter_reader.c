/* cmd_filter_reader.c — the read-ahead thread of `bpfrt filter`
 * (cmd_filter.h): while the main thread filters one chunk of the capture,
 * this one has the kernel copy the next ones into a ring of buffers.  On
 * two CPUs the file's copy (about half of a run's time) and the filtering
 * overlap.  Invariant: slots [consumed, produced) hold data in file order;
 * the reader writes only slot produced % n, the consumer reads only slot
 * consumed % n, and both counters change under the mutex.
 */
#define _GNU_SOURCE
#include "tools/bpfrt/cmd_filter.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_SLOTS 8

struct freader {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int fd;
	size_t chunk;
	unsigned n;
	uint8_t *slot[MAX_SLOTS];
	size_t len[MAX_SLOTS];
	uint64_t produced, consumed;
	bool eof, stop;
	int err;
};

/* Fill buf with up to size bytes; the count, or -errno. */
static ssize_t read_full(int fd, uint8_t *buf, size_t size)
{
	size_t got = 0;
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static void *reader_main(void *arg)
{
	struct freader *rd = arg;
	for (;;) {
		pthread_mutex_lock(&rd->mu);
		while (rd->produced - rd->consumed == rd->n && !rd->stop)
			pthread_cond_wait(&rd->cv, &rd->mu);
		bool stop = rd->stop;
		unsigned idx = (unsigned)(rd->produced % rd->n);
		pthread_mutex_unlock(&rd->mu);
		if (stop)
			return NULL;
		ssize_t got = read_full(rd->fd, rd->slot[idx], rd->chunk);
		pthread_mutex_lock(&rd->mu);
		if (got < 0) {
			rd->err = (int)-got;
		} else if (got > 0) {
			rd->len[idx] = (size_t)got;
			rd->produced++;
		}
		bool done = got < (ssize_t)rd->chunk;
		rd->eof = done;
		pthread_cond_broadcast(&rd->cv);
		pthread_mutex_unlock(&rd->mu);
		if (done)
			return NULL;
	}
}

struct freader *freader_start(int fd, size_t chunk, unsigned slots)
{
	struct freader *rd = calloc(1, sizeof(*rd));
	if (!rd)
		return NULL;
	rd->fd = fd;
	rd->chunk = chunk;
	rd->n = slots < 2 ? 2 : slots > MAX_SLOTS ? MAX_SLOTS : slots;
	for (unsigned i = 0; i < rd->n; i++)
		if (!(rd->slot[i] = malloc(chunk)))
			goto fail;
	pthread_mutex_init(&rd->mu, NULL);
	pthread_cond_init(&rd->cv, NULL);
	int err = pthread_create(&rd->thread, NULL, reader_main, rd);
	if (err) {
		pthread_mutex_destroy(&rd->mu);
		pthread_cond_destroy(&rd->cv);
		errno = err;
		goto fail;
	}
	return rd;
fail:
	for (unsigned i = 0; i < rd->n; i++)
		free(rd->slot[i]);
	free(rd);
	return NULL;
}

const uint8_t *freader_next(struct freader *rd, size_t *len, int *err)
{
	pthread_mutex_lock(&rd->mu);
	while (rd->produced == rd->consumed && !rd->eof && !rd->err)
		pthread_cond_wait(&rd->cv, &rd->mu);
	const uint8_t *p = NULL;
	*err = 0;
	if (rd->produced != rd->consumed) {
		unsigned idx = (unsigned)(rd->consumed % rd->n);
		p = rd->slot[idx];
		*len = rd->len[idx];
	} else {
		*err = rd->err; /* the data before an error came first */
	}
	pthread_mutex_unlock(&rd->mu);
	return p;
}

void freader_release(struct freader *rd)
{
	pthread_mutex_lock(&rd->mu);
	rd->consumed++;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
}

void freader_stop(struct freader *rd)
{
	if (!rd)
		return;
	pthread_mutex_lock(&rd->mu);
	rd->stop = true;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
	pthread_join(rd->thread, NULL);
	pthread_mutex_destroy(&rd->mu);
	pthread_cond_destroy(&rd->cv);
	for (unsigned i = 0; i < rd->n; i++)
		free(rd->slot[i]);
	free(rd);
}
