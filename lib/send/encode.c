/* encode.c - a batch of samples in the wire format of a destination */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dlfcn.h>
#include <snappy-c.h>

#include "base/number.h"
#include "base/strmap.h"
#include "base/xalloc.h"
#include "send/encode.h"
#include "send/remote.pb-c.h"
#include "stream/jsonl.h"
#include "stream/series.h"

#define NONE UINT32_MAX

/*
 * ENCODE_PROMETHEUS keeps the batch until encode_finish(), because a
 * family's samples must follow its TYPE line together and a series may
 * come again with a newer value.  A family is numbered by 'names' (its
 * name as written), a series by 'series' (its whole text before the
 * value, "name{a=\"x\"}", which is what the Pushgateway would call a
 * duplicate); each family chains its series in the order first seen.
 */
struct prom_family {
	enum metric_type type;	/* of its first sample */
	size_t help_off;	/* in 'text', when 'has_help' */
	size_t help_len;
	int has_help;
	uint32_t first, last;	/* series numbers, NONE while empty */
};

struct prom_series {
	uint32_t next;		/* in its family, NONE for the last */
	double value;		/* the last one given */
};

/*
 * ENCODE_REMOTE_WRITE numbers series by their key (series.h), which the
 * labels are read back from at the end, and keeps each sample with the
 * order it came in, so that sorting by series and time can keep the
 * last of two samples at one time.
 */
struct rw_sample {
	uint32_t series;
	size_t seq;
	int64_t ts;
	double value;
};

struct encoder {
	enum encode_format f;
	int64_t now;		/* the batch's time, ms */
	struct buf body;	/* the text formats' lines so far */
	struct buf scratch;	/* a name, a key or a series' text being made */
	struct buf tags;	/* StatsD's "|#k:v,..." of the current sample */
	/* PROMETHEUS and REMOTE_WRITE, for one batch. */
	struct strmap *names, *series;
	struct buf text;	/* help texts */
	struct prom_family *fam;
	size_t nfam, famcap;
	struct prom_series *ps;
	size_t pscap;
	struct rw_sample *rw;
	size_t nrw, rwcap;
	/*
	 * STATSD, across batches: counters by key, their last values and
	 * the epoch they were last seen in.  Those not seen in a whole epoch
	 * are forgotten when the map doubles (counter_prune()), so that
	 * series that come and go (a process, a container) do not pile up.
	 */
	struct strmap *counters;
	struct counter_state *cs;
	size_t cscap, prune_at;
	uint32_t epoch;
	/*
	 * REMOTE_WRITE: libsnappy, loaded with dlopen(3) when such an
	 * encoder is made: it brings libstdc++, whose loading would double
	 * the start of every mpush that never writes remotely.
	 */
	void *snappy;
	size_t (*max_len)(size_t);
	snappy_status (*compress)(const char *, size_t, char *, size_t *);
	char error[160];
};

struct counter_state {
	double last;
	uint32_t epoch;
};

/* Counters kept before the first pruning; then twice those kept. */
#define COUNTERS_MIN 4096

#define LIBSNAPPY "libsnappy.so.1"

struct encoder *
encoder_new(enum encode_format f)
{
	struct encoder *e = xcalloc(1, sizeof(*e));

	e->f = f;
	if (f == ENCODE_REMOTE_WRITE) {
		if ((e->snappy = dlopen(LIBSNAPPY, RTLD_NOW | RTLD_LOCAL)) == NULL ||
		    (*(void **)&e->max_len = dlsym(e->snappy,
		    "snappy_max_compressed_length")) == NULL ||
		    (*(void **)&e->compress = dlsym(e->snappy,
		    "snappy_compress")) == NULL)
			snprintf(e->error, sizeof(e->error), "cannot load %s: %s",
			    LIBSNAPPY, dlerror());
	}
	return e;
}

size_t
encoder_kept(const struct encoder *e)
{
	return e->counters ? strmap_count(e->counters) : 0;
}

const char *
encoder_error(const struct encoder *e)
{
	return e->error[0] ? e->error : NULL;
}

/* Forget the batch, keep the allocations (but the maps: none clears). */
static void
batch_clear(struct encoder *e)
{
	buf_reset(&e->body);
	buf_reset(&e->text);
	strmap_free(e->names);
	strmap_free(e->series);
	e->names = e->series = NULL;
	e->nfam = e->nrw = 0;
}

void
encoder_free(struct encoder *e)
{
	if (e == NULL)
		return;
	batch_clear(e);
	buf_release(&e->body);
	buf_release(&e->scratch);
	buf_release(&e->tags);
	buf_release(&e->text);
	free(e->fam);
	free(e->ps);
	free(e->rw);
	strmap_free(e->counters);
	free(e->cs);
	if (e->snappy)
		dlclose(e->snappy);
	free(e);
}

void
encode_start(struct encoder *e, int64_t now)
{
	batch_clear(e);
	e->now = now;
}

static int64_t
sample_ts(const struct encoder *e, const struct sample *s)
{
	return s->has_ts ? s->ts : e->now;
}

static void
add_number(struct buf *b, double v)
{
	char num[NUMBER_BUFSZ];

	buf_add(b, num, number_format(num, v));
}

static void
add_i64(struct buf *b, int64_t v)
{
	char num[NUMBER_BUFSZ];

	buf_add(b, num, number_format_i64(num, v));
}

/*
 * The key of 's' into 'scratch' (reset), and its hash: the one the
 * sample carries when it has it.
 */
static uint64_t
make_key(struct encoder *e, const struct sample *s)
{
	buf_reset(&e->scratch);
	if (s->key) {
		buf_add(&e->scratch, s->key, s->key_len);
		return s->key_hash ? s->key_hash :
		    series_hash(s->key, s->key_len);
	}
	series_key(&e->scratch, s);
	return series_hash(e->scratch.p, e->scratch.len);
}

/* Whether 'c' is an ASCII control character (a line would break on some). */
static int
is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * ENCODE_JSONL: the canonical line, with the batch's time when the
 * sample has none (it may be sent long after it was read).
 */
static int
add_jsonl(struct encoder *e, const struct sample *s)
{
	struct sample t = *s;

	t.ts = sample_ts(e, s);
	t.has_ts = 1;
	jsonl_format(&e->body, &t);
	return 0;
}

/*
 * ENCODE_PROMETHEUS.
 *
 * The text format 0.0.4 takes only names of [a-zA-Z_:][a-zA-Z0-9_:]*,
 * unquoted: a stream name that is not one (api.requests) is written
 * with '_' for each byte outside them, as mtk's readers of other formats
 * name what they read (metric_name_from()).
 */

/*
 * Text with the escapes of the format: backslash and line feed always,
 * the double quote in label values only (a HELP text keeps it as it is).
 */
static void
prom_escape(struct buf *b, const char *s, size_t n, int quote)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\')
			buf_add(b, "\\\\", 2);
		else if (s[i] == '\n')
			buf_add(b, "\\n", 2);
		else if (s[i] == '"' && quote)
			buf_add(b, "\\\"", 2);
		else
			buf_addch(b, s[i]);
	}
}

static int
add_prometheus(struct encoder *e, const struct sample *s)
{
	struct prom_family *f;
	size_t nl, i;
	uint32_t fid, sid;
	int created, first = 1;

	buf_reset(&e->scratch);
	metric_name_from(&e->scratch, s->name, s->name_len);
	nl = e->scratch.len;
	for (i = 0; i < s->nlabels; i++) {
		const struct label *l = &s->labels[i];
		if (l->value_len == 0)
			continue;	/* no label */
		buf_addch(&e->scratch, first ? '{' : ',');
		first = 0;
		buf_add(&e->scratch, l->name, l->name_len);
		buf_add(&e->scratch, "=\"", 2);
		prom_escape(&e->scratch, l->value, l->value_len, 1);
		buf_addch(&e->scratch, '"');
	}
	if (!first)
		buf_addch(&e->scratch, '}');

	if (e->names == NULL) {
		e->names = strmap_new();
		e->series = strmap_new();
	}
	fid = strmap_intern(e->names, e->scratch.p, nl,
	    strmap_hash(e->scratch.p, nl), &created);
	if (created) {
		e->fam = xgrow(e->fam, &e->famcap, fid + 1, sizeof(*e->fam));
		f = &e->fam[fid];
		f->type = s->type;
		f->has_help = 0;
		f->first = f->last = NONE;
		e->nfam = fid + 1;
	}
	f = &e->fam[fid];
	/* The first help the batch gives the family is its help. */
	if (!f->has_help && s->help && s->help_len) {
		f->help_off = e->text.len;
		f->help_len = s->help_len;
		f->has_help = 1;
		buf_add(&e->text, s->help, s->help_len);
	}

	sid = strmap_intern(e->series, e->scratch.p, e->scratch.len,
	    strmap_hash(e->scratch.p, e->scratch.len), &created);
	if (created) {
		e->ps = xgrow(e->ps, &e->pscap, sid + 1, sizeof(*e->ps));
		e->ps[sid].next = NONE;
		if (f->first == NONE)
			f->first = sid;
		else
			e->ps[f->last].next = sid;
		f->last = sid;
	}
	e->ps[sid].value = s->value;	/* the last value wins */
	return 0;
}

static void
finish_prometheus(struct encoder *e, struct buf *out)
{
	size_t i, len;
	uint32_t sid;

	for (i = 0; i < e->nfam; i++) {
		const struct prom_family *f = &e->fam[i];
		const char *name = strmap_str(e->names, (uint32_t)i, &len);
		buf_adds(out, "# TYPE ");
		buf_add(out, name, len);
		buf_adds(out, f->type == METRIC_COUNTER ? " counter\n" :
		    f->type == METRIC_GAUGE ? " gauge\n" : " untyped\n");
		if (f->has_help) {
			buf_adds(out, "# HELP ");
			buf_add(out, name, len);
			buf_addch(out, ' ');
			prom_escape(out, e->text.p + f->help_off, f->help_len,
			    0);
			buf_addch(out, '\n');
		}
		for (sid = f->first; sid != NONE; sid = e->ps[sid].next) {
			const char *text = strmap_str(e->series, sid, &len);
			buf_add(out, text, len);
			buf_addch(out, ' ');
			add_number(out, e->ps[sid].value);
			buf_addch(out, '\n');
		}
	}
}

/*
 * ENCODE_INFLUX.
 *
 * In the measurement a comma and a space are escaped; in tag keys and
 * values, the equals sign too.  A backslash is written doubled, which
 * the protocol reads as one.  The protocol has no way to write a line
 * feed in a tag value: it is written as the two characters "\n", as it
 * would be read back.
 */
static void
influx_escape(struct buf *b, const char *s, size_t n, int tag)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n') {
			buf_add(b, "\\n", 2);
			continue;
		}
		if (c == ',' || c == ' ' || c == '\\' || (tag && c == '='))
			buf_addch(b, '\\');
		buf_addch(b, c);
	}
}

static int
add_influx(struct encoder *e, const struct sample *s)
{
	int64_t ts = sample_ts(e, s);
	size_t i;

	/* No NaN or infinities in the protocol; nanoseconds in an int64. */
	if (!isfinite(s->value) || ts > INT64_MAX / 1000000 ||
	    ts < INT64_MIN / 1000000)
		return 1;
	/* A line that starts with '#' is a comment: not this one. */
	if (s->name_len && s->name[0] == '#') {
		buf_addch(&e->body, '_');
		influx_escape(&e->body, s->name + 1, s->name_len - 1, 0);
	} else {
		influx_escape(&e->body, s->name, s->name_len, 0);
	}
	for (i = 0; i < s->nlabels; i++) {
		const struct label *l = &s->labels[i];
		if (l->value_len == 0)
			continue;	/* tag values cannot be empty */
		buf_addch(&e->body, ',');
		influx_escape(&e->body, l->name, l->name_len, 1);
		buf_addch(&e->body, '=');
		influx_escape(&e->body, l->value, l->value_len, 1);
	}
	buf_adds(&e->body, " value=");
	add_number(&e->body, s->value);
	buf_addch(&e->body, ' ');
	add_i64(&e->body, ts * 1000000);
	buf_addch(&e->body, '\n');
	return 0;
}

/*
 * ENCODE_GRAPHITE and ENCODE_GRAPHITE_DOTTED.
 *
 * Graphite's tag rules: a tag value (and the name, which Graphite keeps
 * as the value of its tag "name") may not hold ';' nor start with '~'
 * (seriesByTag's "=~").  The plaintext protocol splits on blanks and
 * line ends, so no space or control character either, and no ';' in a
 * dotted path, where it would start tags; names carry no '(' or ')',
 * which render targets read as function calls.  Each such byte becomes
 * '_'.  Label names are of [A-Za-z_][A-Za-z0-9_]*, which Graphite takes
 * as tag names, but "name", Graphite's tag for the series' name (the
 * label would replace it, or be dropped): it goes as "exported_name", as
 * Prometheus renames a scraped label that clashes with its own.
 */
enum {
	G_TAG = 1,	/* a tag's value, or a tagged name */
	G_NAME = 2,	/* a name */
	G_NODE = 4	/* a node of a dotted path */
};

static void
graphite_part(struct buf *b, const char *s, size_t n, int what)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == ';' || c == ' ' || is_control(c) ||
		    ((what & G_TAG) && i == 0 && c == '~') ||
		    ((what & G_NAME) && (c == '(' || c == ')')) ||
		    /*
		     * In a node a '.' would make two, and Graphite stores
		     * a path as directories: no '/' either.
		     */
		    ((what & G_NODE) && (c == '.' || c == '/')))
			c = '_';
		buf_addch(b, (char)c);
	}
}

static int
add_graphite(struct encoder *e, const struct sample *s)
{
	int64_t ts = sample_ts(e, s), sec;
	int dotted = e->f == ENCODE_GRAPHITE_DOTTED;
	size_t i;

	if (!isfinite(s->value))
		return 1;
	/* Whole seconds, which every Graphite receiver reads. */
	sec = ts / 1000 - (ts % 1000 < 0);
	graphite_part(&e->body, s->name, s->name_len,
	    dotted ? G_NAME : G_NAME | G_TAG);
	for (i = 0; i < s->nlabels; i++) {
		const struct label *l = &s->labels[i];
		if (l->value_len == 0)
			continue;	/* no label */
		if (dotted) {
			buf_addch(&e->body, '.');
			graphite_part(&e->body, l->value, l->value_len, G_NODE);
		} else {
			buf_addch(&e->body, ';');
			/* Graphite's "name" is the series' name. */
			if (l->name_len == 4 && memcmp(l->name, "name", 4) == 0)
				buf_adds(&e->body, "exported_");
			buf_add(&e->body, l->name, l->name_len);
			buf_addch(&e->body, '=');
			graphite_part(&e->body, l->value, l->value_len, G_TAG);
		}
	}
	buf_addch(&e->body, ' ');
	add_number(&e->body, s->value);
	buf_addch(&e->body, ' ');
	add_i64(&e->body, sec);
	buf_addch(&e->body, '\n');
	return 0;
}

/*
 * ENCODE_STATSD.
 *
 * A line is "name:value|type|#tags": a name loses its ':' and '|' (and
 * blanks and control characters, which end the line for some servers),
 * a tag value its ',' and '|' and control characters; each becomes '_'.
 * The first ':' of a tag separates its name, so a value may hold more.
 */
static void
statsd_part(struct buf *b, const char *s, size_t n, int tag)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '|' || is_control(c) || (tag && c == ',') ||
		    (!tag && (c == ':' || c == ' ')))
			c = '_';
		buf_addch(b, (char)c);
	}
}

static void
statsd_line(struct encoder *e, const struct sample *s, double v,
    const char *type)
{
	statsd_part(&e->body, s->name, s->name_len, 0);
	buf_addch(&e->body, ':');
	/* "-0" would be a move by zero, not a gauge set to zero. */
	add_number(&e->body, v == 0 ? 0.0 : v);
	buf_addch(&e->body, '|');
	buf_adds(&e->body, type);
	buf_add(&e->body, e->tags.p, e->tags.len);
	buf_addch(&e->body, '\n');
}

/*
 * Keep the counters seen in this epoch, in a new map, and start the
 * next epoch.  Each lasts until the map doubles, so a counter sent at
 * every batch is never forgotten, and one forgotten comes back as new
 * (its next value sends nothing, as a first one).
 */
static void
counter_prune(struct encoder *e)
{
	struct strmap *kept = strmap_new();
	size_t i, n = strmap_count(e->counters), len;
	const char *key;
	uint32_t id;
	int created;

	for (i = 0; i < n; i++) {
		if (e->cs[i].epoch != e->epoch)
			continue;
		key = strmap_str(e->counters, (uint32_t)i, &len);
		id = strmap_intern(kept, key, len, strmap_hash(key, len),
		    &created);
		e->cs[id] = e->cs[i];	/* id <= i: moving down */
	}
	strmap_free(e->counters);
	e->counters = kept;
	e->epoch++;
	e->prune_at = 2 * strmap_count(kept);
	if (e->prune_at < COUNTERS_MIN)
		e->prune_at = COUNTERS_MIN;
}

static int
add_statsd(struct encoder *e, const struct sample *s)
{
	double v = s->value;
	size_t i;

	if (!isfinite(v))
		return 1;
	if (s->type == METRIC_COUNTER) {
		uint64_t h;
		uint32_t id;
		double prev;
		int created;
		if (v < 0)
			return 1;	/* a StatsD counter only goes up */
		h = make_key(e, s);
		if (e->counters == NULL) {
			e->counters = strmap_new();
			e->prune_at = COUNTERS_MIN;
		} else if (strmap_count(e->counters) >= e->prune_at &&
		    strmap_find(e->counters, e->scratch.p, e->scratch.len,
		    h) < 0) {
			counter_prune(e);
		}
		id = strmap_intern(e->counters, e->scratch.p, e->scratch.len, h,
		    &created);
		if (created) {
			e->cs = xgrow(e->cs, &e->cscap, (size_t)id + 1,
			    sizeof(*e->cs));
			e->cs[id].last = v;
			e->cs[id].epoch = e->epoch;
			return 0;	/* a first value: no increase known */
		}
		prev = e->cs[id].last;
		e->cs[id].last = v;
		e->cs[id].epoch = e->epoch;
		/* A drop is a restart, counting again from zero. */
		v = v >= prev ? v - prev : v;
	}

	buf_reset(&e->tags);
	for (i = 0; i < s->nlabels; i++) {
		const struct label *l = &s->labels[i];
		if (l->value_len == 0)
			continue;	/* no label */
		if (e->tags.len)
			buf_addch(&e->tags, ',');
		else
			buf_add(&e->tags, "|#", 2);
		buf_add(&e->tags, l->name, l->name_len);
		buf_addch(&e->tags, ':');
		statsd_part(&e->tags, l->value, l->value_len, 1);
	}

	switch (s->type) {
	case METRIC_COUNTER:
		statsd_line(e, s, v, "c");
		break;
	case METRIC_HISTOGRAM:
		statsd_line(e, s, v, "h");
		break;
	default:
		/* A sign moves a gauge: set it to zero, then move it down. */
		if (v < 0)
			statsd_line(e, s, 0, "g");
		statsd_line(e, s, v, "g");
		break;
	}
	return 0;
}

/* ENCODE_REMOTE_WRITE. */
static int
add_remote(struct encoder *e, const struct sample *s)
{
	uint64_t h = make_key(e, s);
	struct rw_sample *r;

	if (e->series == NULL)
		e->series = strmap_new();
	e->rw = xgrow(e->rw, &e->rwcap, e->nrw + 1, sizeof(*e->rw));
	r = &e->rw[e->nrw];
	r->series = strmap_intern(e->series, e->scratch.p, e->scratch.len, h,
	    NULL);
	r->seq = e->nrw++;
	r->ts = sample_ts(e, s);
	r->value = s->value;
	return 0;
}

static int
rw_sample_cmp(const void *a, const void *b)
{
	const struct rw_sample *x = a, *y = b;

	if (x->series != y->series)
		return x->series < y->series ? -1 : 1;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
rw_label_cmp(const void *a, const void *b)
{
	const Prometheus__Label *x = *(const Prometheus__Label *const *)a;
	const Prometheus__Label *y = *(const Prometheus__Label *const *)b;

	return strcmp(x->name, y->name);
}

/*
 * The labels of series 'id' from its key, "__name__" among them, into
 * 'l' (room for all) as pointers into the key: the map is not written
 * to again before they are packed.  Returns how many.
 */
static size_t
rw_labels(const struct strmap *m, uint32_t id, Prometheus__Label *l)
{
	static const Prometheus__Label init = PROMETHEUS__LABEL__INIT;
	const char *k, *end, *name, *value;
	size_t len, n = 0;

	k = strmap_str(m, id, &len);
	end = k + len;
	l[n] = init;
	l[n].name = (char *)"__name__";
	l[n++].value = (char *)k;
	k += strlen(k) + 1;
	while (k < end) {
		name = k;
		k += strlen(k) + 1;
		if (k >= end)
			break;		/* not a key: a name without a value */
		value = k;
		k += strlen(k) + 1;
		if (*value == '\0')
			continue;	/* no label */
		l[n] = init;
		l[n].name = (char *)name;
		l[n++].value = (char *)value;
	}
	return n;
}

static void
finish_remote(struct encoder *e, struct buf *out)
{
	Prometheus__WriteRequest req = PROMETHEUS__WRITE_REQUEST__INIT;
	static const Prometheus__TimeSeries ts_init =
	    PROMETHEUS__TIME_SERIES__INIT;
	static const Prometheus__Sample smp_init = PROMETHEUS__SAMPLE__INIT;
	Prometheus__TimeSeries *ts = NULL, **tsp = NULL;
	Prometheus__Sample *smp = NULL, **smpp = NULL;
	Prometheus__Label *lab = NULL, **labp = NULL;
	size_t nser = e->series ? strmap_count(e->series) : 0;
	size_t i, j, n, nlab = 0, packed_len;
	uint8_t *packed = NULL;
	size_t clen;

	/*
	 * Samples by series (first seen first), then time; of two at one
	 * time the later given, which a receiver would otherwise refuse as
	 * a duplicate.
	 */
	qsort(e->rw, e->nrw, sizeof(*e->rw), rw_sample_cmp);
	for (i = n = 0; i < e->nrw; i++) {
		if (n && e->rw[n - 1].series == e->rw[i].series &&
		    e->rw[n - 1].ts == e->rw[i].ts)
			n--;
		e->rw[n++] = e->rw[i];
	}
	e->nrw = n;

	ts = xcalloc(nser ? nser : 1, sizeof(*ts));
	tsp = xcalloc(nser ? nser : 1, sizeof(*tsp));
	smp = xcalloc(n ? n : 1, sizeof(*smp));
	smpp = xcalloc(n ? n : 1, sizeof(*smpp));
	/* Room for every label of every key: at most its NULs, by halves. */
	for (i = 0; i < nser; i++) {
		size_t len;
		const char *k = strmap_str(e->series, (uint32_t)i, &len);
		for (j = 0; j < len; j++)
			nlab += k[j] == '\0';
	}
	nlab = nlab / 2 + nser + 1;
	lab = xcalloc(nlab, sizeof(*lab));
	labp = xcalloc(nlab, sizeof(*labp));

	for (i = 0; i < n; i++) {
		smp[i] = smp_init;
		smp[i].value = e->rw[i].value;
		smp[i].timestamp = e->rw[i].ts;
		smpp[i] = &smp[i];
	}
	nlab = 0;
	for (i = j = 0; i < nser; i++) {
		size_t k, nl;
		ts[i] = ts_init;
		nl = rw_labels(e->series, (uint32_t)i, lab + nlab);
		for (k = 0; k < nl; k++)
			labp[nlab + k] = &lab[nlab + k];
		/* Keys sort labels by name; "__name__" goes where it sorts. */
		qsort(labp + nlab, nl, sizeof(*labp), rw_label_cmp);
		ts[i].labels = labp + nlab;
		ts[i].n_labels = nl;
		nlab += nl;
		/* Series numbers are dense and every one has samples. */
		ts[i].samples = smpp + j;
		while (j < n && e->rw[j].series == i)
			j++;
		ts[i].n_samples = (size_t)(smpp + j - ts[i].samples);
		tsp[i] = &ts[i];
	}
	req.timeseries = tsp;
	req.n_timeseries = nser;

	packed_len = prometheus__write_request__get_packed_size(&req);
	packed = xmalloc(packed_len ? packed_len : 1);
	prometheus__write_request__pack(&req, packed);
	if (e->compress) {
		clen = e->max_len(packed_len);
		buf_grow(out, clen);
		/* With room for the worst case, snappy cannot fail. */
		if (e->compress((const char *)packed, packed_len,
		    out->p + out->len, &clen) != SNAPPY_OK)
			abort();
		out->len += clen;
		out->p[out->len] = '\0';
	}

	free(packed);
	free(labp);
	free(lab);
	free(smpp);
	free(smp);
	free(tsp);
	free(ts);
}

int
encode_add(struct encoder *e, const struct sample *s)
{
	switch (e->f) {
	case ENCODE_JSONL:
		return add_jsonl(e, s);
	case ENCODE_PROMETHEUS:
		return add_prometheus(e, s);
	case ENCODE_INFLUX:
		return add_influx(e, s);
	case ENCODE_GRAPHITE:
	case ENCODE_GRAPHITE_DOTTED:
		return add_graphite(e, s);
	case ENCODE_STATSD:
		return add_statsd(e, s);
	case ENCODE_REMOTE_WRITE:
		return add_remote(e, s);
	}
	return 1;
}

void
encode_finish(struct encoder *e, struct buf *out)
{
	switch (e->f) {
	case ENCODE_PROMETHEUS:
		finish_prometheus(e, out);
		break;
	case ENCODE_REMOTE_WRITE:
		finish_remote(e, out);
		break;
	default:
		buf_add(out, e->body.p, e->body.len);
		break;
	}
	batch_clear(e);
}

int
encode_datagrams(const char *lines, size_t len, size_t mtu,
    int (*fn)(void *arg, const char *p, size_t n), void *arg)
{
	const char *p = lines, *end = lines + len, *start = NULL, *stop = NULL;
	int rc;

	/*
	 * [start, stop) holds the whole lines gathered so far, without the
	 * last one's newline.  A line that would take it past 'mtu' sends
	 * it first, and so does an empty line, which is not sent.  A last
	 * line without its newline is still a line.
	 */
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (start && (le == p || (size_t)(le - start) > mtu)) {
			if ((rc = fn(arg, start, (size_t)(stop - start))) != 0)
				return rc;
			start = NULL;
		}
		if (le > p) {
			if (start == NULL)
				start = p;
			stop = le;
		}
		p = nl ? nl + 1 : end;
	}
	if (start)
		return fn(arg, start, (size_t)(stop - start));
	return 0;
}
