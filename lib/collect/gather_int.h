/* gather_int.h - what gather.c and the collectors in collect_*.c share */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_GATHER_INT_H
#define MTK_GATHER_INT_H

/*
 * Private to lib/: the public interface is gather.h.  A collector is a
 * function that reads its sources with collect_read(), parses them by
 * hand and hands each sample to collect_emit().  It keeps whatever it
 * needs between passes (previous counters, for rates and for 32-bit
 * wraps) in 'g->state[its index]', freed by its 'release'.
 */

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "collect/gather.h"
#include "stream/metric.h"

enum collect_root {
	COLLECT_PROC,		/* --procfs */
	COLLECT_SYS,		/* --sysfs */
	COLLECT_ROOT		/* --rootfs */
};

struct gather {
	struct gather_opts o;		/* the caller's, pointers borrowed */
	struct label *common;		/* host and -l labels, sorted, owned */
	size_t ncommon;
	char *root[3];			/* the roots for this pass (%p done) */
	struct buf file;		/* the file collect_read() read last */
	struct buf stat;		/* /proc/stat, read once per pass */
	int stat_errno;			/* 0, or why /proc/stat failed */
	uint64_t stat_pass;		/* the pass 'stat' was read in */
	const struct ingest_sink *sink;	/* this pass's */
	struct buf fixed;		/* label values repaired (o.check) */
	struct errbuf *eb;		/* this pass's error buffer */
	int failed;			/* a write failed: emit nothing more */
	int64_t ts;			/* this pass's timestamp (ms) */
	double dt;			/* seconds since the last pass, or 0 */
	struct timespec mono;		/* CLOCK_MONOTONIC at this pass */
	uint64_t pass;			/* 1 for the first pass */
	long hz;			/* USER_HZ: ticks per second */
	long pagesize;
	unsigned enabled;		/* collectors still on */
	int cur;			/* the collector running */
	void *state[GATHER_NCOLLECTORS];
	struct label lab[METRIC_LABELS_MAX];	/* collect_emit()'s merge */
	char path[PATH_MAX + 64];	/* collect_path()'s result */
};

/*
 * A collector.  'collect' returns 0, or -1 after collect_off() when its
 * source is missing: the collector is then switched off for good.
 * Write errors are not its business (collect_emit() records them).
 */
struct collector {
	const char *name;
	const char *desc;
	int (*collect)(struct gather *g);
	void (*release)(void *state);	/* frees 'g->state[i]'; NULL-safe */
};

int collect_cpu(struct gather *g);
int collect_meminfo(struct gather *g);
int collect_vmstat(struct gather *g);
int collect_loadavg(struct gather *g);
int collect_stat(struct gather *g);
int collect_time(struct gather *g);
int collect_filesystem(struct gather *g);
int collect_diskstats(struct gather *g);
int collect_netdev(struct gather *g);
int collect_filefd(struct gather *g);
int collect_pressure(struct gather *g);
int collect_processes(struct gather *g);
int collect_cgroup(struct gather *g);
int collect_process(struct gather *g);
void collect_cpu_release(void *state);
void collect_filesystem_release(void *state);
void collect_devtab_release(void *state);
void collect_process_release(void *state);

/*
 * ROOT/REL for this pass, in 'g->path' (valid until the next call).
 */
const char *collect_path(struct gather *g, enum collect_root root,
    const char *rel);

/*
 * Read the whole file ROOT/REL into 'b' (reset first, NUL-terminated).
 * Returns 0, or -1 with errno set.
 */
int collect_read(struct gather *g, enum collect_root root, const char *rel,
    struct buf *b);

/*
 * /proc/stat of this pass, read at most once per pass (cpu and stat both
 * use it).  Returns its text (owned by 'g'), or NULL with errno set.
 */
const char *collect_read_stat(struct gather *g);

/*
 * Warn (through gather_opts.warn) that the running collector is switched
 * off, because of 'fmt'.  Returns -1, for 'return collect_off(...)'.
 */
int collect_off(struct gather *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Pass a warning to gather_opts.warn, prefixed with the collector. */
void collect_warn(struct gather *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Write one sample stamped with the pass's timestamp.  'labels' ('n' of
 * them, borrowed) must be sorted by name; the common labels are merged
 * in, a collector's label winning over a common one of the same name.
 * After a write error this does nothing (gather_pass() reports it).
 */
void collect_emit(struct gather *g, const char *name, enum metric_type type,
    double value, const struct label *labels, size_t n);

/* A label borrowing 'name' and 'value'. */
static inline struct label
collect_label(const char *name, const char *value)
{
	struct label l;

	l.name = name;
	l.value = value;
	l.name_len = (uint32_t)strlen(name);
	l.value_len = (uint32_t)strlen(value);
	return l;
}

/*
 * Parsing.  collect_u64() skips blanks, then reads a decimal number and
 * moves '*p' past it; a field that is not a number reads as 0 and is
 * skipped up to the next blank.  collect_line() returns the start of the
 * next line after 'p', or NULL at the end.
 */
uint64_t collect_u64(const char **p);
const char *collect_line(const char *p);

/*
 * A kernel counter made monotonic and 64 bits wide.  Some drivers keep
 * 32-bit counters (net/dev on older NICs, the milliseconds in
 * diskstats), which wrap at 2^32: when a value that fits in 32 bits
 * drops, it has wrapped, and 2^32 is added from then on.  A 64-bit
 * counter that drops was reset (the device was re-created), and the
 * count starts again from the new value.
 */
struct counter {
	uint64_t raw;		/* the kernel's value, last pass */
	uint64_t ext;		/* what was emitted for it */
};

/* Returns the extended value of 'raw'; 'first' starts the counter. */
uint64_t counter_extend(struct counter *c, uint64_t raw, int first);

/*
 * Per-device counters across passes (netdev, diskstats), keyed by the
 * device name.  A device missing from a pass is forgotten, so one that
 * comes back starts afresh.
 */
#define DEVTAB_COUNTERS 20
#define DEVTAB_NAME_MAX 64

struct devtab_entry {
	char name[DEVTAB_NAME_MAX];
	uint64_t seen;			/* the last pass it was in */
	int fresh;			/* first seen this pass: no rates */
	struct counter c[DEVTAB_COUNTERS];
	uint64_t prev[DEVTAB_COUNTERS];	/* extended values, last pass */
};

struct devtab {
	struct devtab_entry *v;
	size_t n, cap;
};

/*
 * The entry for 'name' in this pass, created if new.  '*hint' is where
 * to look first (devices tend to come in the same order); it is updated.
 */
struct devtab_entry *devtab_get(struct devtab *t, const char *name,
    uint64_t pass, size_t *hint);

/* Forget the entries not seen in 'pass'. */
void devtab_sweep(struct devtab *t, uint64_t pass);

/*
 * Update the counter 'i' of 'e' with 'raw'; returns the extended value.
 * 'e->prev[i]' keeps the last pass's, for rates.
 */
uint64_t devtab_update(struct devtab_entry *e, int i, uint64_t raw);

#endif
