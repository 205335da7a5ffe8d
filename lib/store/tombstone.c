/* tombstone.c - deleted series: recorded at once, removed from blocks later */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "base/xalloc.h"
#include "store/block.h"
#include "store/rollup.h"
#include "store/store_int.h"
#include "store/tombstone.h"
#include "stream/jsonl.h"
#include "stream/series.h"

/*
 * A tombstone file, DIR/tombstones/SEQ.tomb (SEQ as a block's, 16 hex
 * digits), holds one JSON object:
 *
 *   {"selector":"x{job=\"a\"}","start":1700000000000,"end":1700003600000,
 *    "matchers":[["__name__","=","x"],["job","=","a"]]}
 *
 * Times are milliseconds, both ends included.
 */

static int
parse_op(const char *s, enum matcher_op *op)
{
	static const char *const ops[] = { "=", "!=", "=~", "!~" };
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, ops[i]) == 0) {
			*op = (enum matcher_op)i;
			return 0;
		}
	return -1;
}

/* Parse the tombstone in 'path' into 't'.  Returns 0, or -1 with 'eb'. */
static int
load_one(const char *path, uint64_t seq, struct tombstone *t,
    struct errbuf *eb)
{
	json_error_t je;
	json_t *root, *ms, *sel;
	size_t i;
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if ((root = json_load_file(path, JSON_ALLOW_NUL, &je)) == NULL)
		return errbuf_set(eb, "%s:%d: not a tombstone: %s", path,
		    je.line, je.text);
	ms = json_object_get(root, "matchers");
	sel = json_object_get(root, "selector");
	if (!json_is_array(ms) || json_array_size(ms) == 0 ||
	    !json_is_integer(json_object_get(root, "start")) ||
	    !json_is_integer(json_object_get(root, "end")) ||
	    !json_is_string(sel)) {
		errbuf_set(eb, "%s: not a tombstone", path);
		goto out;
	}
	t->seq = seq;
	t->mint = json_integer_value(json_object_get(root, "start"));
	t->maxt = json_integer_value(json_object_get(root, "end"));
	t->path = xstrdup(path);
	t->selector = xstrdup(json_string_value(sel));
	t->m = xcalloc(json_array_size(ms), sizeof(*t->m));
	for (i = 0; i < json_array_size(ms); i++) {
		json_t *e = json_array_get(ms, i);
		enum matcher_op op;
		if (!json_is_array(e) || json_array_size(e) != 3 ||
		    !json_is_string(json_array_get(e, 0)) ||
		    !json_is_string(json_array_get(e, 1)) ||
		    !json_is_string(json_array_get(e, 2)) ||
		    parse_op(json_string_value(json_array_get(e, 1)), &op) == -1) {
			errbuf_set(eb, "%s: not a tombstone", path);
			goto out;
		}
		if (matcher_init(&t->m[i], op,
		    json_string_value(json_array_get(e, 0)),
		    json_string_value(json_array_get(e, 2)),
		    json_string_length(json_array_get(e, 2)), eb) == -1) {
			errbuf_prefix(eb, "%s", path);
			goto out;
		}
		t->n++;
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static void
tombstone_release(struct tombstone *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		matcher_release(&t->m[i]);
	free(t->m);
	free(t->path);
	free(t->selector);
}

int
tombstones_load(struct store *st, struct tombstones *t, struct errbuf *eb)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char **names;
	size_t n, i;

	store_path(st, dir, "tombstones", NULL);
	if (store_list(dir, ".tomb", &names, &n, eb) == -1)
		return -1;
	t->v = xcalloc(n ? n : 1, sizeof(*t->v));
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (load_one(path, strtoull(names[i], NULL, 16), &t->v[t->n],
		    eb) == -1) {
			/* Removed since listed: applied meanwhile. */
			if (access(path, F_OK) == -1 && errno == ENOENT)
				continue;
			tombstone_release(&t->v[t->n]);
			store_list_free(names, n);
			return -1;
		}
		t->n++;
	}
	store_list_free(names, n);
	return 0;
}

void
tombstones_release(struct tombstones *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		tombstone_release(&t->v[i]);
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

int
tombstone_write(struct store *st, const struct matcher *m, size_t n,
    const char *selector, int64_t mint, int64_t maxt, struct errbuf *eb)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 64], path[PATH_MAX + 64];
	struct buf b = BUF_INIT;
	uint64_t seq = store_seq();
	size_t i;
	int fd, rc = -1;

	store_path(st, dir, "tombstones", NULL);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return errbuf_set(eb, "cannot create '%s': %s", dir,
		    strerror(errno));
	buf_adds(&b, "{\"selector\":");
	jsonl_quote(&b, selector, strlen(selector));
	buf_addf(&b, ",\"start\":%lld,\"end\":%lld,\"matchers\":[",
	    (long long)mint, (long long)maxt);
	for (i = 0; i < n; i++) {
		buf_adds(&b, i ? ",[" : "[");
		jsonl_quote(&b, m[i].name, strlen(m[i].name));
		buf_addf(&b, ",\"%s\",", matcher_op_str(m[i].op));
		jsonl_quote(&b, m[i].value, m[i].value_len);
		buf_addch(&b, ']');
	}
	buf_adds(&b, "]}\n");
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%016llx-%d.tomb", dir,
	    (unsigned long long)seq, (int)getpid());
	snprintf(path, sizeof(path), "%s/%016llx.tomb", dir,
	    (unsigned long long)seq);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) == -1) {
		errbuf_set(eb, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (fileio_write_all(fd, b.p, b.len) == -1 || fsync(fd) == -1) {
		errbuf_set(eb, "cannot write '%s': %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) == -1 || fileio_sync_dir(dir) == -1) {
		errbuf_set(eb, "cannot write '%s': %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	buf_release(&b);
	return rc;
}

size_t
tombstones_match(const struct tombstones *t, const char *key, size_t keylen,
    int64_t (*ranges)[2], size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++) {
		if (!series_key_matches(key, keylen, t->v[i].m, t->v[i].n))
			continue;
		if (n < max) {
			ranges[n][0] = t->v[i].mint;
			ranges[n][1] = t->v[i].maxt;
		}
		n++;
	}
	return n;
}

void
tombstones_cut(int64_t (*ranges)[2], size_t nr, int64_t *ts, double *v,
    size_t *n)
{
	size_t i, k, out = 0;

	for (i = 0; i < *n; i++) {
		for (k = 0; k < nr; k++)
			if (ts[i] >= ranges[k][0] && ts[i] <= ranges[k][1])
				break;
		if (k < nr)
			continue;
		ts[out] = ts[i];
		v[out] = v[i];
		out++;
	}
	*n = out;
}

int
tombstone_in_block(struct block *b, const struct tombstone *t,
    struct errbuf *eb)
{
	const struct block_series **bs = NULL;
	struct rollup r = ROLLUP_INIT;
	int64_t *ts = NULL;
	double *v = NULL;
	size_t nbs, i, k, cap = 0;
	int found = 0;

	if (block_select(b, t->m, t->n, t->mint, t->maxt, &bs, &nbs, eb) == -1)
		return -1;
	/* A series whose time range overlaps may have nothing inside. */
	for (i = 0; i < nbs && found == 0; i++) {
		const int64_t *times;
		size_t n = bs[i]->n;
		if (block_res(b)) {
			rollup_reset(&r, bs[i]->rollup_flags);
			if (block_read_rollup(b, bs[i], &r, eb) == -1) {
				found = -1;
				break;
			}
			times = r.t;
		} else {
			size_t c2 = cap;
			ts = xgrow(ts, &cap, n, sizeof(*ts));
			v = xgrow(v, &c2, n, sizeof(*v));
			if (block_read(b, bs[i], ts, v, eb) == -1) {
				found = -1;
				break;
			}
			times = ts;
		}
		for (k = 0; k < n; k++)
			if (times[k] >= t->mint && times[k] <= t->maxt)
				found = 1;
	}
	rollup_release(&r);
	free(ts);
	free(v);
	free(bs);
	return found;
}

int
tombstones_in_block(const struct tombstones *t, struct block *b,
    struct errbuf *eb)
{
	size_t i;
	int in;

	for (i = 0; i < t->n; i++)
		if ((in = tombstone_in_block(b, &t->v[i], eb)) != 0)
			return in;
	return 0;
}

int
store_delete(struct store *st, const struct matcher *m, size_t n,
    const char *selector, int64_t mint, int64_t maxt, uint64_t *series,
    struct errbuf *eb)
{
	struct store_span sp[STORE_NTIERS];
	struct store_reader *r;
	struct store_iter *it;
	struct store_series ss;
	size_t i;
	int got;

	*series = 0;
	for (i = 0; i < n && matcher_matches_empty(&m[i]); i++)
		;
	if (i == n)
		return errbuf_set(eb, "selector '%s' would delete every series: "
		    "it needs a matcher that does not match the empty value",
		    selector);
	if (mint > maxt)
		return errbuf_set(eb, "the start is after the end");
	for (i = 0; i < STORE_NTIERS; i++)
		sp[i] = (struct store_span){ (enum store_tier)i, mint, maxt };
	if ((r = store_reader_open_spans(st, sp, STORE_NTIERS, eb)) == NULL)
		return -1;
	it = store_select(r, m, n, eb);
	while ((got = store_iter_next(it, &ss, eb)) == 1)
		(*series)++;
	store_iter_free(it);
	store_reader_close(r);
	if (got == -1)
		return -1;
	return tombstone_write(st, m, n, selector, mint, maxt, eb);
}
