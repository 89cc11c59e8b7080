/* print_event.h — printing the records programs send to user space (ring
 * buffer and perf event array output) field by field with the object's
 * BTF, as `name=value` text or one JSON object per line; the log2
 * histograms of `hist*` maps as bar charts (print_hist.c).  Used by
 * `bpfrt trace` (cmd_trace.c).
 *
 * Which type a record has (docs/cli.md, "trace"): records carry no type,
 * so the printer picks, for each record size, the first of
 *   1. a struct pointed to by a global pointer variable (libbpf-tools'
 *      `struct event *unused __attribute__((unused));`) whose size is the
 *      record size;
 *   2. a struct named `event` of that size;
 *   3. the first struct in BTF order (the program's own types come first)
 *      of exactly that size;
 * else the record is printed as hex bytes.  Perf event records may carry up
 * to 7 bytes of padding (the kernel pads raw samples so size + 4 is a
 * multiple of 8): sizes down to 7 bytes less are tried in turn.
 */
#ifndef BPFRT_TOOLS_PRINT_EVENT_H
#define BPFRT_TOOLS_PRINT_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct bpfrt_btf;

/* The type id chosen for records of size bytes, 0 for none. */
uint32_t print_event_type(const struct bpfrt_btf *btf, size_t size);

/* Print one record of type id (0: hex) from source (a map name) on one
 * line: `source: a=1 b="text" c={x=1 y=2} d=[1,2]`, or with json
 * `{"source":"...","type":"...","data":{...}}`. */
void print_event(FILE *f, const struct bpfrt_btf *btf, uint32_t id, const char *source, const void *data,
		 size_t size, bool json);

/* The value of type id at data as text (json: JSON) without newline. */
void print_value(FILE *f, const struct bpfrt_btf *btf, uint32_t id, const void *data, bool json);

/* Print a log2 histogram of counts[0..n) (slot i: values in
 * [2^i, 2^(i+1)) , slot 0: 0 and 1) as BCC's tools do, with unit as the
 * column title; json: {"unit":...,"buckets":[{"low":..,"high":..,"count":..}]}. */
void print_log2_hist(FILE *f, const uint64_t *counts, size_t n, const char *unit, bool json);

#endif
