/* map.c — creating a map's shared storage, opening it again from a file,
 * the writers' robust lock, CPU counting and the table of families. */
#define _GNU_SOURCE
#include "maps/map.h"
#include "core/btf_obj.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const struct bpfrt_map_ops *bpfrt_map_ops_for(uint32_t map_type)
{
	switch (map_type) {
	case BPF_MAP_TYPE_ARRAY:
	case BPF_MAP_TYPE_PERCPU_ARRAY:
		return &bpfrt_array_map_ops;
	case BPF_MAP_TYPE_PROG_ARRAY:
		return &bpfrt_prog_array_map_ops;
	case BPF_MAP_TYPE_PERF_EVENT_ARRAY:
		return &bpfrt_perf_event_array_map_ops;
	case BPF_MAP_TYPE_ARRAY_OF_MAPS:
		return &bpfrt_array_of_maps_map_ops;
	case BPF_MAP_TYPE_HASH_OF_MAPS:
		return &bpfrt_hash_of_maps_map_ops;
	case BPF_MAP_TYPE_RINGBUF:
		return &bpfrt_ringbuf_map_ops;
	case BPF_MAP_TYPE_HASH:
	case BPF_MAP_TYPE_PERCPU_HASH:
	case BPF_MAP_TYPE_LRU_HASH:
	case BPF_MAP_TYPE_LRU_PERCPU_HASH:
		return &bpfrt_hash_map_ops;
	case BPF_MAP_TYPE_LPM_TRIE:
		return &bpfrt_lpm_trie_map_ops;
	case BPF_MAP_TYPE_QUEUE:
		return &bpfrt_queue_map_ops;
	case BPF_MAP_TYPE_STACK:
		return &bpfrt_stack_map_ops;
	case BPF_MAP_TYPE_BLOOM_FILTER:
		return &bpfrt_bloom_filter_map_ops;
	case BPF_MAP_TYPE_DEVMAP:
	case BPF_MAP_TYPE_DEVMAP_HASH:
		return &bpfrt_devmap_map_ops;
	case BPF_MAP_TYPE_STACK_TRACE:
		return &bpfrt_stack_trace_map_ops;
	default:
		return NULL;
	}
}

uint32_t bpfrt_possible_cpus(void)
{
	static uint32_t cached; /* immutable fact of the machine */
	uint32_t n = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	if (n)
		return n;
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	char buf[256];
	if (f && fgets(buf, sizeof(buf), f)) {
		/* "0-3,5,7-8": count every listed CPU. */
		char *s = buf;
		while (*s && *s != '\n') {
			char *end;
			long a = strtol(s, &end, 10), b = a;
			if (end == s)
				break;
			s = end;
			if (*s == '-')
				b = strtol(s + 1, &s, 10);
			n += (uint32_t)(b - a + 1);
			if (*s == ',')
				s++;
		}
	}
	if (f)
		fclose(f);
	if (!n) {
		long c = sysconf(_SC_NPROCESSORS_CONF);
		n = c > 0 ? (uint32_t)c : 1;
	}
	__atomic_store_n(&cached, n, __ATOMIC_RELAXED);
	return n;
}

/* Per thread by nature (a CPU identity belongs to the thread running a
 * program), so it lives in thread-local storage, not in the runtime. */
static _Thread_local int thread_cpu = -1;

int bpfrt_thread_cpu_set(int cpu)
{
	int old = thread_cpu;
	thread_cpu = cpu < 0 ? -1 : cpu;
	return old;
}

uint32_t bpfrt_current_cpu(uint32_t nr_cpus)
{
	int cpu = thread_cpu >= 0 ? thread_cpu : sched_getcpu();
	return cpu < 0 ? 0 : (uint32_t)cpu % nr_cpus;
}

int bpfrt_index_next_key(struct bpfrt_map *map, const void *key, void *next_key)
{
	uint32_t idx = 0, next = 0;
	if (key)
		memcpy(&idx, key, 4);
	if (key && idx < map->max_entries) {
		if (idx == map->max_entries - 1)
			return -ENOENT;
		next = idx + 1;
	}
	memcpy(next_key, &next, 4);
	return 0;
}

void *bpfrt_map_slots_alloc(size_t n, size_t size)
{
	if (n && size > SIZE_MAX / n)
		return NULL;
	size_t bytes = n * size > 0 ? n * size : 1;
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void bpfrt_map_slots_free(void *p, size_t n, size_t size)
{
	if (p)
		munmap(p, n * size > 0 ? n * size : 1);
}

void bpfrt_map_lock(struct bpfrt_map *map)
{
	int err = pthread_mutex_lock(&map->shm->lock);
	if (err == EOWNERDEAD) {
		/* The holder died between prepare and publish; the families
		 * publish with one atomic store, so what readers see is
		 * consistent, and a family with bookkeeping beside it (free
		 * lists, counts) repairs that before the lock is usable again. */
		if (map->ops && map->ops->recover)
			map->ops->recover(map);
		pthread_mutex_consistent(&map->shm->lock);
	}
}

void bpfrt_map_unlock(struct bpfrt_map *map)
{
	pthread_mutex_unlock(&map->shm->lock);
}

static void map_release(struct bpfrt_obj *obj)
{
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	if (map->ops && map->ops->release)
		map->ops->release(map);
	if (map->btf)
		bpfrt_obj_put(&map->btf->obj);
	if (map->shm)
		munmap(map->shm, map->shm_size);
	if (map->shm_fd >= 0)
		close(map->shm_fd);
	free(map);
}

/* A new, unlinked file for storage in the pin root (so a later pin is a
 * hard link on the same filesystem); memfd where O_TMPFILE fails. */
static int storage_file(struct bpfrt *rt)
{
	mkdir(rt->pin_root, 0700);
	int fd = open(rt->pin_root, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	fd = memfd_create("bpfrt-map", MFD_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

static void shm_lock_init(pthread_mutex_t *lock)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(lock, &a);
	pthread_mutexattr_destroy(&a);
}

static void map_release_uref(struct bpfrt_obj *obj)
{
	struct bpfrt_map *map = bpfrt_map_from_obj(obj);
	if (map->ops && map->ops->release_uref)
		map->ops->release_uref(map);
}

static struct bpfrt_map *map_alloc(struct bpfrt *rt)
{
	struct bpfrt_map *map = bpfrt_zalloc(rt, sizeof(*map));
	if (!map)
		return NULL;
	bpfrt_obj_init(&map->obj, rt, BPFRT_OBJ_MAP, map_release);
	map->obj.release_uref = map_release_uref;
	map->shm_fd = -1;
	return map;
}

static void map_fill_from_shm(struct bpfrt_map *map)
{
	struct bpfrt_map_shm *h = map->shm;
	map->type = h->map_type;
	map->key_size = h->key_size;
	map->value_size = h->value_size;
	map->max_entries = h->max_entries;
	map->flags = h->map_flags;
	map->nr_cpus = h->nr_cpus;
	memcpy(map->name, h->name, sizeof(map->name));
	map->data = (char *)h + h->data_off;
}

int bpfrt_map_create(struct bpfrt *rt, const union bpf_attr *attr, struct bpfrt_map **out)
{
	const struct bpfrt_map_ops *ops = bpfrt_map_ops_for(attr->map_type);
	if (!ops)
		return -EINVAL;
	int err = ops->check(attr);
	if (err)
		return err;
	struct bpfrt_btf_obj *btf;
	int32_t lock_off;
	err = bpfrt_map_btf_check(rt, attr, &btf, &lock_off);
	if (err)
		return err;
	size_t btf_size = 0;
	const void *btf_raw = btf ? bpfrt_btf_raw(btf->btf, &btf_size) : NULL;
	uint32_t cpus = bpfrt_possible_cpus();
	uint64_t data_off = (sizeof(struct bpfrt_map_shm) + 63) & ~63ull;
	uint64_t data = ops->data_size(attr, cpus);
	if (data > (1ull << 40)) {
		if (btf)
			bpfrt_obj_put(&btf->obj);
		return -E2BIG;
	}
	/* The BTF blob goes after the family's data. */
	uint64_t btf_off = btf ? (data_off + data + 7) & ~7ull : 0;
	uint64_t total = ((btf ? btf_off + btf_size : data_off + data) + 4095) & ~4095ull;
	struct bpfrt_map *map = map_alloc(rt);
	if (!map) {
		if (btf)
			bpfrt_obj_put(&btf->obj);
		return -ENOMEM;
	}
	map->ops = ops;
	map->btf = btf;
	int fd = storage_file(rt);
	if (fd < 0) {
		map_release(&map->obj);
		return fd;
	}
	map->shm_fd = fd;
	struct stat fst;
	if (fstat(fd, &fst) == 0)
		map->file_dev = fst.st_dev, map->file_ino = fst.st_ino;
	if (ftruncate(fd, (off_t)total)) {
		map_release(&map->obj);
		return -ENOMEM;
	}
	void *p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		map_release(&map->obj);
		return -ENOMEM;
	}
	map->shm = p;
	map->shm_size = total;
	struct bpfrt_map_shm *h = p;
	h->version = BPFRT_MAP_VERSION;
	h->map_type = attr->map_type;
	h->key_size = attr->key_size;
	h->value_size = attr->value_size;
	h->max_entries = attr->max_entries;
	h->map_flags = attr->map_flags;
	h->nr_cpus = cpus;
	h->map_extra = attr->map_extra;
	h->total_size = total;
	h->data_off = data_off;
	h->btf_key_type_id = attr->btf_key_type_id;
	h->btf_value_type_id = attr->btf_value_type_id;
	h->spin_lock_off = lock_off;
	if (btf) {
		h->btf_off = btf_off;
		h->btf_size = btf_size;
		memcpy((char *)h + btf_off, btf_raw, btf_size);
	}
	memcpy(h->name, attr->map_name, sizeof(h->name));
	h->name[sizeof(h->name) - 1] = 0;
	shm_lock_init(&h->lock);
	map_fill_from_shm(map);
	map->create_attr = attr;
	err = ops->init ? ops->init(map) : 0;
	map->create_attr = NULL;
	if (err) {
		map_release(&map->obj);
		return err;
	}
	/* The magic goes last: a half-made file is never taken for a map. */
	__atomic_store_n(&h->magic, BPFRT_MAP_MAGIC, __ATOMIC_RELEASE);
	*out = map;
	return 0;
}

/* The map object this runtime already has for that storage file, with a
 * new reference: opening a pin twice gives one object, as in the kernel. */
static struct bpfrt_map *find_open(struct bpfrt *rt, const struct stat *st)
{
	struct bpfrt_id_table *t = &rt->ids[BPFRT_OBJ_MAP];
	struct bpfrt_map *found = NULL;
	pthread_mutex_lock(&rt->lock);
	for (uint32_t i = 0; i < t->len && !found; i++) {
		struct bpfrt_map *m = t->objs[i] ? bpfrt_map_from_obj(t->objs[i]) : NULL;
		if (m && m->file_ino == (uint64_t)st->st_ino && m->file_dev == (uint64_t)st->st_dev &&
		    __atomic_load_n(&m->obj.refcnt, __ATOMIC_ACQUIRE) > 0) {
			bpfrt_obj_get(&m->obj);
			found = m;
		}
	}
	pthread_mutex_unlock(&rt->lock);
	return found;
}

int bpfrt_map_open_fd(struct bpfrt *rt, int file_fd, struct bpfrt_map **out)
{
	struct stat st;
	if (fstat(file_fd, &st) || (uint64_t)st.st_size < sizeof(struct bpfrt_map_shm))
		return -EINVAL;
	if ((*out = find_open(rt, &st)))
		return 0;
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, file_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	struct bpfrt_map_shm *h = p;
	const struct bpfrt_map_ops *ops = bpfrt_map_ops_for(h->map_type);
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != BPFRT_MAP_MAGIC ||
	    h->version != BPFRT_MAP_VERSION || h->total_size != (uint64_t)st.st_size || !ops ||
	    h->data_off >= h->total_size || h->nr_cpus != bpfrt_possible_cpus()) {
		munmap(p, (size_t)st.st_size);
		return -EINVAL;
	}
	struct bpfrt_map *map = map_alloc(rt);
	if (!map) {
		munmap(p, (size_t)st.st_size);
		return -ENOMEM;
	}
	map->ops = ops;
	map->shm = p;
	map->shm_size = (size_t)st.st_size;
	map->shm_fd = dup(file_fd);
	map->file_dev = st.st_dev, map->file_ino = st.st_ino;
	map_fill_from_shm(map);
	/* The types, if the map has them, become a BTF object of this runtime
	 * (bpf_map_info.btf_id).  BTF that doesn't parse is left out. */
	if (h->btf_size && h->btf_off >= h->data_off && h->btf_off <= h->total_size &&
	    h->btf_size <= h->total_size - h->btf_off &&
	    bpfrt_btf_obj_new(rt, (char *)h + h->btf_off, h->btf_size, NULL, &map->btf))
		map->btf = NULL;
	if (h->spin_lock_off >= 0 && (uint64_t)h->spin_lock_off + 4 > h->value_size)
		h->spin_lock_off = -1; /* corrupt: never lock outside the value */
	int err = ops->open ? ops->open(map) : 0;
	if (err) {
		map_release(&map->obj);
		return err;
	}
	*out = map;
	return 0;
}
