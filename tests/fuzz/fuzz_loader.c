/* fuzz_loader.c — libFuzzer target for the object loader: the input is an
 * ELF object handed to bpfrt_object_open_mem(); when it opens, it is loaded
 * (maps created, relocations applied, programs through BPF_PROG_LOAD) on a
 * fresh runtime whose pin root is a private temporary directory, then
 * closed.  Every input must leave no memory, fd or pin behind.
 *
 * Seeds: tests/fuzz/corpus/loader (objects built from tests/fuzz/seeds).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpfrt/object.h"

/* Cap map sizes so that a mutated max_entries measures the loader, not the
 * memory of the machine (the map code has its own tests and limits). */
#define FUZZ_MAX_ENTRIES 256

static char pin_root[64];

static void clean_pin_root(void)
{
	DIR *d = opendir(pin_root);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/%s", pin_root, e->d_name);
		unlink(path);
	}
	closedir(d);
}

static void remove_pin_root(void)
{
	clean_pin_root();
	rmdir(pin_root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(pin_root, sizeof(pin_root), "/tmp/bpfrt-fuzz-loader-XXXXXX");
	if (!mkdtemp(pin_root)) {
		perror("mkdtemp");
		abort();
	}
	atexit(remove_pin_root);
	/* Pins and map storage stay in pin_root, never in $BPFRT_PIN_ROOT. */
	unsetenv("BPFRT_TRACE");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfrt_opts ro = {.sz = sizeof(ro), .pin_root = pin_root};
	struct bpfrt *rt = bpfrt_new(&ro);
	if (!rt)
		abort();
	struct bpfrt_object_open_opts oo = {.sz = sizeof(oo), .pin_root_path = pin_root};
	struct bpfrt_diag diag;
	struct bpfrt_object *obj = bpfrt_object_open_mem(rt, data, size, &oo, &diag);
	if (obj) {
		/* Walk what open collected, as a user of the object would. */
		for (struct bpfrt_program *p = bpfrt_object_next_program(obj, NULL); p;
		     p = bpfrt_object_next_program(obj, p)) {
			uint32_t cnt;
			(void)bpfrt_program_name(p);
			(void)bpfrt_program_section_name(p);
			(void)bpfrt_program_insns(p, &cnt);
			(void)bpfrt_program_attach_note(p);
		}
		for (struct bpfrt_object_map *m = bpfrt_object_next_map(obj, NULL); m;
		     m = bpfrt_object_next_map(obj, m)) {
			(void)bpfrt_object_map_name(m);
			if (bpfrt_object_map_max_entries(m) > FUZZ_MAX_ENTRIES)
				bpfrt_object_map_set_max_entries(m, FUZZ_MAX_ENTRIES);
		}
		if (bpfrt_object_load(obj) == 0) {
			for (struct bpfrt_program *p = bpfrt_object_next_program(obj, NULL); p;
			     p = bpfrt_object_next_program(obj, p)) {
				uint32_t cnt;
				(void)bpfrt_program_insns(p, &cnt);
				(void)bpfrt_program_line_info(p, &cnt);
			}
		}
		bpfrt_object_close(obj);
	}
	bpfrt_free(rt);
	clean_pin_root();
	return 0;
}
