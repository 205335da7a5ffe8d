/* store.h - the tiered on-disk store: open, write, read */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_STORE_H
#define MTK_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "base/strmap.h"
#include "stream/ingest.h"
#include "stream/matcher.h"
#include "stream/metric.h"
#include "store/rollup.h"

/*
 * A store is a directory (mtk-store(5)):
 *
 *   mtk.conf      settings: retention per tier
 *   raw/          blocks written by mstore; raw/wal/ the write-ahead logs
 *   1m/ 5m/ 1h/   blocks written by mroll
 *
 * Any number of writers and readers may use a store at once.  Each writer
 * logs to its own WAL and seals its own blocks; readers see the blocks
 * and the WALs, so they see every sample a writer has committed.  A lock
 * file (raw/.lock) is held shared by readers while they open files and
 * exclusively by writers while they delete files, so no reader ever
 * misses data that moved from a WAL to a block.
 */

enum store_tier {
	STORE_TIER_RAW = 0,
	STORE_TIER_1M,
	STORE_TIER_5M,
	STORE_TIER_1H,
	STORE_NTIERS
};

/* "raw", "1m", "5m", "1h". */
const char *store_tier_name(enum store_tier t);

/* Default retention of each tier, in milliseconds. */
#define STORE_RETENTION_DEFAULTS \
	{ 24 * 3600000LL, 7 * 86400000LL, 30 * 86400000LL, 365 * 86400000LL }

/* Raw blocks cover aligned windows of this many milliseconds. */
#define STORE_BLOCK_MS (2 * 3600000LL)

struct store;

/*
 * Create a store in 'dir' (and its parents) if there is none, with the
 * given retention settings ("raw=24h,1m=7d", NULL for the defaults), or
 * change the retention of an existing one (refused while its mtk.conf
 * has an unknown setting, which rewriting would lose).  Returns 0, or -1
 * with 'eb'.
 */
int store_init(const char *dir, const char *retention, struct errbuf *eb);

/*
 * Parse a retention setting "raw=24h,1m=7d" into 'ret' (tiers not named
 * keep their value).  A retention under an hour is refused.  Returns 0,
 * or -1 with the reason in 'eb'.
 */
int store_parse_retention(const char *spec, int64_t ret[STORE_NTIERS],
    struct errbuf *eb);

/*
 * Open the store in 'dir'.  With 'create', a missing store is created
 * with the defaults.  Returns a new handle (close with store_close()), or
 * NULL with the reason in 'eb'.
 */
struct store *store_open(const char *dir, int create, struct errbuf *eb);
void store_close(struct store *st);

/*
 * Keep the block data the readers of 'st' decompress in 'c' (block.h's
 * block_cache_new(); borrowed: it outlives 'st'), for a server: readers
 * opened from now on find there what earlier ones decompressed, of this
 * handle or of another using the same cache (frames are known by their
 * checksums, not by the file they were read from).
 */
struct block_cache;
void store_use_cache(struct store *st, struct block_cache *c);

const char *store_dir(const struct store *st);

/*
 * Damaged files: a block, WAL or archive that fails its checks is
 * passed over by readers, which go on with the rest of the store and
 * note it on the store handle, once per file.  The number noted so far,
 * and the message for each ("'path' is not a valid block (footer
 * checksum)", "'path': frame 3 is damaged"), borrowed from 'st'.
 */
size_t store_damage_count(const struct store *st);
const char *store_damage(const struct store *st, size_t i);
int64_t store_retention(const struct store *st, enum store_tier t);

/*
 * The settings of mtk.conf (mtk-store(5)) besides the retention.
 */
enum store_archive {
	STORE_ARCHIVE_OFF = 0,	/* expired blocks are deleted */
	STORE_ARCHIVE_ZSTD,	/* moved into archive/TIER/ as tar.zst */
	STORE_ARCHIVE_XZ	/* or as tar.xz */
};

struct store_settings {
	int64_t retention[STORE_NTIERS];
	enum store_archive archive;
	unsigned archive_tiers;	/* bit (1 << tier) for each tier archived */
	char *sketch;		/* gauge name globs, blank-separated, or NULL */
	char *unknown;		/* "mtk.conf:7: unknown setting 'x'", for the
				   first key mtk.conf should not have; NULL */
};

#define STORE_SETTINGS_INIT { STORE_RETENTION_DEFAULTS, STORE_ARCHIVE_OFF, \
	1u << STORE_TIER_1H, NULL, NULL }

void store_settings_release(struct store_settings *s);

/* The settings of 'st'.  Borrowed. */
const struct store_settings *store_settings(const struct store *st);

/*
 * Writing.
 */
enum store_fsync {
	STORE_FSYNC_BATCH = 0,	/* at most once a second, and at the end */
	STORE_FSYNC_ALWAYS,	/* at every commit */
	STORE_FSYNC_NEVER	/* leave it to the kernel */
};

/* The name of mode 'i' ("batch", "always", "never"), NULL past them. */
const char *store_fsync_name(size_t i);

/* The mode named 'name' into '*out': 0, or -1 for no mode's name. */
int store_fsync_parse(const char *name, enum store_fsync *out);

struct store_writer_opts {
	enum store_fsync fsync;
	uint64_t max_series;	/* 0: no limit */
	/*
	 * Flush the log into blocks once it holds this many samples; 0:
	 * STORE_FLUSH_SAMPLES, or STORE_FLUSH_PER_SERIES per series the
	 * writer knows, whichever is more.  This bounds what a reader
	 * reads of a running writer's log (mtk-store(5)).
	 */
	uint64_t flush_samples;
	/*
	 * ...and once the log is this old (ms): a writer going through a
	 * backlog seals windows faster than that, and its windows are not
	 * split into blocks merged again at once.
	 */
	int64_t flush_age_ms;
	int64_t self_metrics_ms; /* store own metrics this often; 0: never */
	int64_t max_future;	/* ms ahead of the clock a sample may be */
	int merge;		/* merge a window's blocks, in the background */
	/*
	 * Take samples older than the raw retention too, as long as a
	 * rolled tier keeps their time: mroll(1) rolls them into the tiers
	 * that do (a migration of history).
	 */
	int backfill;
};

#define STORE_FLUSH_SAMPLES 500000
#define STORE_FLUSH_PER_SERIES 4
/* How far ahead of the clock samples are taken: VictoriaMetrics' 2 days. */
#define STORE_MAX_FUTURE_MS (2 * 86400000LL)

#define STORE_WRITER_OPTS_INIT { STORE_FSYNC_BATCH, 1000000, 0, \
	STORE_FLUSH_AGE_MS, 0, STORE_MAX_FUTURE_MS, 1, 0 }
#define STORE_FLUSH_AGE_MS 1000

/* How often --self-metrics records them, and once more at the end. */
#define STORE_SELF_METRICS_MS 10000

struct store_writer_stats {
	uint64_t samples;		/* accepted */
	uint64_t rejected_old;		/* older than the raw retention */
	uint64_t rejected_future;	/* too far ahead of the clock */
	uint64_t rejected_series;	/* new series over max_series */
	uint64_t bad_lines;		/* counted by store_writer_count_bad() */
	uint64_t series;		/* known to this writer */
	uint64_t blocks;		/* sealed */
	uint64_t flushes;		/* of the whole log into blocks */
	uint64_t merges;		/* closed windows merged */
	uint64_t bytes;			/* written to blocks and the WAL */
	uint64_t recovered;		/* samples recovered from dead writers */
	uint64_t corrupt_wals;		/* unreadable WALs renamed *.corrupt */
	uint64_t syncs;
	double sync_seconds;		/* total time in fsync */
};

struct store_writer;

/*
 * Start writing to 'st': create this writer's WAL, and first recover the
 * WALs of writers that died (sealing their samples into blocks).  Returns
 * a new writer (finish with store_writer_close()), or NULL with 'eb'.
 */
struct store_writer *store_writer_open(struct store *st,
    const struct store_writer_opts *o, struct errbuf *eb);

/*
 * Accept sample 's' (checked, with has_ts set).  Returns 0 when accepted,
 * 1 when rejected (too old, too far ahead of the clock, too many series:
 * the reason in 'eb'), -1 on a failure that stops the writer (the reason
 * in 'eb').
 */
int store_writer_add(struct store_writer *w, const struct sample *s,
    struct errbuf *eb);

/*
 * Make what was added so far visible to readers (write it to the WAL),
 * durable as the fsync policy says, and seal blocks when due.  Returns 0,
 * or -1 with 'eb'.
 */
int store_writer_commit(struct store_writer *w, struct errbuf *eb);

/* Whether samples were written since the last fsync (STORE_FSYNC_BATCH). */
int store_writer_unsynced(const struct store_writer *w);

/* fsync the WAL now.  Returns 0, or -1 with 'eb'. */
int store_writer_sync(struct store_writer *w, struct errbuf *eb);

const struct store_writer_stats *store_writer_stats(const struct store_writer *w);

/* Count an input line that was bad and never reached the writer. */
void store_writer_count_bad(struct store_writer *w);

/*
 * Add the writer's own metrics (mtk_mstore_*, labelled with the host
 * name) at time 'ts'.  With 'o.self_metrics_ms' set, commits and close
 * do this by themselves.  Returns 0, or -1 with 'eb'.
 */
int store_writer_self_metrics(struct store_writer *w, int64_t ts,
    struct errbuf *eb);

/*
 * Milliseconds until the writer wants a commit (for a sync its fsync
 * mode owes, a flush its log is due, or its own metrics), or -1 if it
 * does not (for a caller waiting on idle input).
 */
int64_t store_writer_due(const struct store_writer *w);

/*
 * The writer as the sink of the shared ingest loop (stream/ingest.h):
 * samples go to store_writer_add(), idle input to
 * store_writer_commit().  'w' stays the caller's.
 */
void store_writer_sink(struct store_writer *w, struct ingest_sink *out);

/*
 * Commit, seal everything into blocks, remove the WAL and free 'w'.
 * Returns 0, or -1 with 'eb' (the WAL is then kept, for the next writer
 * to recover).
 */
int store_writer_close(struct store_writer *w, struct errbuf *eb);

/*
 * Reading.
 */
struct store_reader;

/*
 * Restrict what every reader of 'st' sees, from now on, to the series
 * whose label 'name' is 'value' (a tenant's: tenant="T"): each
 * selection and listing has the matcher name="value" added to its own,
 * whatever it asks, so no query reaches another's series.  Once per
 * store.  Returns 0, or -1 with 'eb'.
 */
int store_restrict(struct store *st, const char *name, const char *value,
    struct errbuf *eb);

/*
 * A consistent view of tier 't' of 'st' for samples in [mint, maxt].
 * Returns a new reader (free with store_reader_close()), or NULL with 'eb'.
 */
struct store_reader *store_reader_open(struct store *st, enum store_tier t,
    int64_t mint, int64_t maxt, struct errbuf *eb);
void store_reader_close(struct store_reader *r);

/* Part of a reader: the samples or rows of tier 'tier' in [mint, maxt]. */
struct store_span {
	enum store_tier tier;
	int64_t mint, maxt;
};

/*
 * A reader stitched from spans of several tiers (see store_plan()).
 * Returns a new reader, or NULL with 'eb'.
 */
struct store_reader *store_reader_open_spans(struct store *st,
    const struct store_span *spans, size_t n, struct errbuf *eb);

/*
 * Read the writers' logs whole at the first selection and answer every
 * later one from memory, instead of reading them for each selection: for
 * a reader that answers many selections of one moment (a run of alert
 * rules).  What writers commit after the first selection is not seen.
 */
void store_reader_whole_logs(struct store_reader *r);

/*
 * What a reader gives for the rows of rolled tiers: their average,
 * maximum... (rollup.h; the default, ROLLUP_AGG_AUTO, is the rebuilt
 * counter for counters and the average for the others).
 */
void store_reader_set_agg(struct store_reader *r, enum rollup_agg agg);

/*
 * Add to 'r' the blocks of tier 't' archived by mroll (DIR/archive/TIER/)
 * for [mint, maxt]: each archive whose window overlaps is read and its
 * blocks are opened from a temporary directory under $TMPDIR (default
 * /tmp), removed again at once.  Returns 0, or -1 with 'eb'.
 */
int store_reader_add_archives(struct store_reader *r, struct store *st,
    enum store_tier t, int64_t mint, int64_t maxt, struct errbuf *eb);


/* One series of a selection, with its samples in [mint, maxt]. */
struct store_series {
	const char *key;	/* borrowed, valid until the next call */
	size_t keylen;
	enum metric_type type;
	const char *unit;	/* NULL if none */
	const char *help;
	const int64_t *ts;	/* strictly increasing */
	const double *v;
	size_t n;
};

struct store_iter;

/*
 * Select the series that satisfy the 'n' label matchers 'm' (all series
 * when 'n' is 0; borrowed for the call): blocks find them through their
 * index, WALs are read for them only.  A damaged block or WAL is passed
 * over and noted (store_damage()).  Returns a new iterator (free with
 * store_iter_free()), or NULL with 'eb'.
 */
struct store_iter *store_select(struct store_reader *r,
    const struct matcher *m, size_t n, struct errbuf *eb);

/*
 * The next selected series in key order, with its samples merged from
 * every block and WAL: for a timestamp found in several, the value from
 * the newest (highest sequence) wins.  Series with no sample in range
 * are skipped; so is the data of a block that turns out damaged (noted,
 * store_damage()).  Returns 1, 0 at the end, or -1 with 'eb'.
 */
int store_iter_next(struct store_iter *it, struct store_series *out,
    struct errbuf *eb);
void store_iter_free(struct store_iter *it);

/*
 * Add to 'out' the label names (when 'name' is NULL) or the values of
 * label 'name' ("__name__": metric names) of the series of 'r' that the
 * 'n' matchers 'm' select (every series when 'n' is 0: then blocks
 * answer from their index alone, without reading series).  Empty values
 * are no label.  Returns 0, or -1 with 'eb'.
 */
int store_labels(struct store_reader *r, const char *name,
    const struct matcher *m, size_t n, struct strmap *out, struct errbuf *eb);

/*
 * The rolled rows of the series store_iter_next() returned last, merged
 * from every block (the newest block's row for each time), or NULL if it
 * had none.  Borrowed, valid until the next call.
 */
const struct rollup *store_iter_rollup(const struct store_iter *it);

/*
 * Read of rolled rows only what the reader's aggregate
 * (store_reader_set_agg()) takes, for a caller that wants the values and
 * not the rows: store_iter_rollup()'s rows then have the other columns
 * NaN and no sketches unless the aggregate is a quantile.  Before the
 * first store_iter_next().
 */
void store_iter_values_only(struct store_iter *it);

/*
 * Backup and restore (mstore export, mstore import).  An archive is a
 * pax tar stream compressed with zstd holding "mtk.conf" and block files
 * "TIER/NAME.blk" (mtk-store(5)).
 */

/*
 * Write an archive of 'st' to descriptor 'fd' (left open): mtk.conf, the
 * raw tier's samples in [since, until] as fresh blocks, one per window,
 * taken from one merged snapshot (so samples still in WALs are included
 * and overlapping blocks come out merged), and the blocks of the other
 * tiers that overlap [since, until], copied whole.  Temporary blocks go
 * to a directory under $TMPDIR (default /tmp), removed before return.
 * Returns 0, or -1 with 'eb'.
 */
int store_export(struct store *st, int64_t since, int64_t until, int fd,
    struct errbuf *eb);

struct store_import_stats {
	uint64_t blocks;	/* imported */
	uint64_t bytes;		/* of those blocks */
	int conf_used;		/* the store was created from the archive's mtk.conf */
};

/*
 * Read an archive from descriptor 'fd' (left open) into the store in
 * 'dir', creating it if missing: with the retention of the archive's
 * mtk.conf when that comes before any block (as store_export() writes
 * it), else the defaults.  An existing store keeps its own settings.
 * Each block is checked in full, then linked in under a new name and a
 * new sequence number, so its samples win over samples already stored
 * for the same series and timestamp.  Stops at the first member that is
 * not "mtk.conf" or "TIER/NAME.blk" (absolute, "..", other names or
 * types), or not a valid block: blocks imported before it stay, nothing
 * of it does.  Fills 'stats' (may be NULL).  Returns 0, or -1 with 'eb'.
 */
int store_import(const char *dir, int fd, struct store_import_stats *stats,
    struct errbuf *eb);

/*
 * Statistics of a tier, for "mstore stats".
 */
struct store_tier_stats {
	uint64_t blocks;
	uint64_t series;	/* distinct series over all blocks and WALs */
	uint64_t samples;	/* in blocks */
	uint64_t block_bytes;
	uint64_t wal_files;
	uint64_t wal_samples;
	uint64_t wal_bytes;
	int64_t mint, maxt;	/* of the blocks */
};

int store_tier_stats(struct store *st, enum store_tier t,
    struct store_tier_stats *out, struct errbuf *eb);

/*
 * Delete the series the 'n' matchers 'm' select (one at least must not
 * match the empty value), over [mint, maxt]: their samples and rolled
 * rows there, in every tier.  Writes a tombstone (store/tombstone.h),
 * which every reader applies from then on; the next passes of mroll(1)
 * remove the data from the files, then the tombstone.  Samples written
 * into the range while it is pending are deleted too.  '*series' gets
 * the number of series it covers now.  Returns 0, or -1 with 'eb'.
 */
int store_delete(struct store *st, const struct matcher *m, size_t n,
    const char *selector, int64_t mint, int64_t maxt, uint64_t *series,
    struct errbuf *eb);

/*
 * Merge the raw blocks of each window that ends at or before
 * 'closed_before' (ms) and has more than one block (left by restarts,
 * late samples, several writers) into one.  Safe beside writers and
 * readers; a second compaction at the same time returns at once.  Adds
 * the number of blocks removed to '*removed'.  Returns 0, or -1 with 'eb'.
 */
int store_compact(struct store *st, int64_t closed_before, uint64_t *removed,
    struct errbuf *eb);

/*
 * Checking ("mstore check"): every block of every tier read whole, its
 * checksums and encodings verified; every WAL read up to its first
 * incomplete or corrupt record; every archive read and its blocks
 * verified.  Each damaged file is reported, and the check goes on.
 */
enum store_file_kind {
	STORE_FILE_BLOCK,
	STORE_FILE_WAL,		/* raw/wal/: a log, or one set aside */
	STORE_FILE_ARCHIVE
};

struct store_damaged {
	const char *path;	/* the file */
	const char *rel;	/* its path in the store: "raw/NAME.blk" */
	enum store_file_kind kind;
	enum store_tier tier;
	int64_t mint, maxt;	/* the window it covers, from its name;
				   INT64_MIN, INT64_MAX for a WAL */
	int live;		/* a WAL a running writer holds */
	const char *reason;	/* what is wrong */
};

/*
 * Called for each damaged file, all borrowed for the call.  Returns 0,
 * or -1 with 'eb' to stop the check.
 */
typedef int (*store_check_fn)(void *arg, const struct store_damaged *d,
    struct errbuf *eb);

struct store_check_stats {
	uint64_t blocks;	/* good ones */
	uint64_t samples;	/* in those */
	uint64_t wal_files;
	uint64_t wal_records;
	uint64_t wal_torn_bytes;	/* past the last valid record */
	uint64_t archives;
	uint64_t archive_blocks;
	uint64_t damaged;	/* files reported */
};

/*
 * Check the whole store, calling 'fn' (may be NULL) for each damaged
 * file.  A torn WAL tail is counted, not damage (the next writer cuts
 * it).  Returns 0 (damage or not: see out->damaged), or -1 with 'eb'
 * when the store cannot be read or 'fn' stopped it.
 */
int store_check(struct store *st, store_check_fn fn, void *arg,
    struct store_check_stats *out, struct errbuf *eb);

/*
 * Move the damaged file 'd' to DIR/damaged/REL (with ".PID" added if an
 * earlier repair left a file there), under the tier's lock, never
 * deleting anything; the new path goes to 'to' (PATH_MAX).  A live WAL
 * is refused.  Returns 0, or -1 with 'eb'.
 */
int store_repair(struct store *st, const struct store_damaged *d, char *to,
    struct errbuf *eb);

#endif
