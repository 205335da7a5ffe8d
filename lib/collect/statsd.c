/* statsd.c - StatsD lines aggregated per flush, as the StatsD daemon does */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/number.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "collect/statsd.h"
#include "stream/utf8.h"

#define TAGS_MAX 32
#define EXTRA_MAX 32

/* One series: a type, a name, labels; its state. */
struct series {
	char type;		/* 'c', 'g', 'h' (ms, h, d), 's' */
	char *name;
	struct label *labels;	/* owned strings, sorted */
	size_t nlabels;
	double value;		/* a counter's total, a gauge's value */
	int64_t last;		/* its last update, ms */
	double *obs;		/* a histogram's observations this interval */
	size_t nobs, cap;
	uint64_t seen;		/* observations offered this interval */
	uint64_t count;		/* a histogram's, since the start */
	double sum;
	int negative;		/* it had a negative observation */
	struct strmap *set;	/* a set's members this interval */
	int updated;		/* since the last flush */
	int dead;		/* expired: its number is not reused */
};

struct statsd {
	struct statsd_opts o;
	struct strmap *keys;
	struct series *v;
	size_t n, cap, ndead;
	struct label extra[EXTRA_MAX];
	size_t nextra;
	struct buf key, names;
	uint64_t rng;
	/* The listener's own counters. */
	uint64_t packets, lines, bad, expired, dropped, sampled_out;
	/* Feeds from another thread (HTTP pushes) and flushes, one at once. */
	pthread_mutex_t lock;
	/* Their text as of the last flush, for another thread (/metrics). */
	pthread_mutex_t shown_lock;
	struct buf shown;
};

struct statsd *
statsd_new(const struct statsd_opts *o)
{
	struct statsd *sd = xcalloc(1, sizeof(*sd));

	sd->o = *o;
	sd->keys = strmap_new();
	sd->rng = 0x9e3779b97f4a7c15ULL;
	sd->nextra = metric_labels_from_pairs(o->labels, o->nlabels, sd->extra,
	    EXTRA_MAX);
	pthread_mutex_init(&sd->shown_lock, NULL);
	pthread_mutex_init(&sd->lock, NULL);
	return sd;
}

static void
series_release(struct series *s)
{
	size_t i;

	free(s->name);
	for (i = 0; i < s->nlabels; i++) {
		free((char *)s->labels[i].name);
		free((char *)s->labels[i].value);
	}
	free(s->labels);
	free(s->obs);
	strmap_free(s->set);
	memset(s, 0, sizeof(*s));
}

void
statsd_free(struct statsd *sd)
{
	size_t i;

	if (sd == NULL)
		return;
	for (i = 0; i < sd->n; i++)
		series_release(&sd->v[i]);
	metric_labels_free_names(sd->extra, sd->nextra);
	free(sd->v);
	strmap_free(sd->keys);
	buf_release(&sd->key);
	buf_release(&sd->names);
	buf_release(&sd->shown);
	pthread_mutex_destroy(&sd->shown_lock);
	pthread_mutex_destroy(&sd->lock);
	free(sd);
}

void
statsd_dropped(struct statsd *sd, uint64_t n)
{
	pthread_mutex_lock(&sd->lock);
	sd->dropped += n;
	pthread_mutex_unlock(&sd->lock);
}

/* A finite number of 'n' bytes; '*ok' says whether it is one. */
static double
parse_number(const char *p, size_t n, int *ok)
{
	double v = 0;

	*ok = number_parse_text(p, n, &v) != -1 && isfinite(v);
	return v;
}

struct tag {
	const char *name, *value;
	size_t name_len, value_len;
};

static int
cmp_tag(const void *a, const void *b)
{
	const struct tag *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);

	return c ? c : (x->name_len > y->name_len) - (x->name_len < y->name_len);
}

/* The series of type 't', name and tags, made when new. */
static struct series *
series_get(struct statsd *sd, char t, const char *name, size_t nl,
    struct tag *tags, size_t ntags)
{
	size_t i, name_at, off[TAGS_MAX][2];
	uint32_t id;
	int created;
	struct series *s;

	buf_reset(&sd->key);
	buf_addch(&sd->key, t);
	name_at = sd->key.len;
	metric_name_from(&sd->key, name, nl);
	buf_addch(&sd->key, '\0');
	qsort(tags, ntags, sizeof(*tags), cmp_tag);
	for (i = 0; i < ntags; i++) {
		off[i][0] = sd->key.len;
		metric_name_from(&sd->key, tags[i].name, tags[i].name_len);
		buf_addch(&sd->key, '\0');
		off[i][1] = sd->key.len;
		buf_add(&sd->key, tags[i].value, tags[i].value_len);
		buf_addch(&sd->key, '\0');
	}
	id = strmap_intern(sd->keys, sd->key.p, sd->key.len,
	    strmap_hash(sd->key.p, sd->key.len), &created);
	if (!created && !sd->v[id].dead)
		return &sd->v[id];
	if (created) {
		sd->v = xgrow(sd->v, &sd->cap, sd->n + 1, sizeof(*sd->v));
		sd->n++;
	} else {
		sd->ndead--;	/* back from the dead: a new series */
	}
	s = &sd->v[id];
	memset(s, 0, sizeof(*s));
	s->type = t;
	s->name = xstrdup(sd->key.p + name_at);
	s->labels = xcalloc(ntags + 1, sizeof(*s->labels));
	for (i = 0; i < ntags; i++) {
		struct label *l = &s->labels[s->nlabels];
		const char *v = sd->key.p + off[i][1];
		if (*v == '\0')
			continue;	/* a tag without a value: no label */
		l->name = xstrdup(sd->key.p + off[i][0]);
		l->name_len = (uint32_t)strlen(l->name);
		l->value = xstrdup(v);
		l->value_len = (uint32_t)strlen(v);
		s->nlabels++;
	}
	if (t == 's')
		s->set = strmap_new();
	return s;
}

/* Keep one more observation; past 'cap' a uniform sample (reservoir). */
static void
observe(struct statsd *sd, struct series *s, double v)
{
	s->count++;
	s->sum += v;
	s->negative |= v < 0;
	s->seen++;
	if (s->nobs < (size_t)(sd->o.flush_ms > 1000 ? sd->o.flush_ms : 1000)) {
		s->obs = xgrow(s->obs, &s->cap, s->nobs + 1, sizeof(*s->obs));
		s->obs[s->nobs++] = v;
	} else {
		uint64_t r;
		sd->rng ^= sd->rng << 13;
		sd->rng ^= sd->rng >> 7;
		sd->rng ^= sd->rng << 17;
		r = sd->rng % s->seen;
		if (r < s->nobs)
			s->obs[r] = v;
		sd->sampled_out++;
	}
}

/*
 * One line, with 'tenant' (when not NULL) as its tag tenant: over any
 * it has.  0, or -1 with why in 'eb'.
 */
static int
feed_line(struct statsd *sd, const char *p, size_t n, int64_t now,
    const char *tenant, struct errbuf *eb)
{
	const char *end = p + n, *colon, *bar, *f;
	struct tag tags[TAGS_MAX];
	char qb[40];
	size_t ntags = 0, vl;
	double v, rate = 1;
	char t;
	int ok;
	struct series *s;

	/* The stream carries UTF-8 without NULs; so must names and tags. */
	if (memchr(p, '\0', n) || utf8_invalid_count(p, n))
		return errbuf_set(eb, "not UTF-8 text");
	if ((colon = memchr(p, ':', n)) == NULL || colon == p)
		return errbuf_set(eb, "not name:value|type");
	if ((bar = memchr(colon, '|', (size_t)(end - colon))) == NULL)
		return errbuf_set(eb, "no '|type' after the value");
	vl = (size_t)(bar - colon - 1);
	f = bar + 1;
	/* The type. */
	{
		const char *te = memchr(f, '|', (size_t)(end - f));
		size_t tl = (size_t)((te ? te : end) - f);
		if (tl == 1 && (*f == 'c' || *f == 'g' || *f == 's' ||
		    *f == 'h' || *f == 'd'))
			t = *f == 'd' ? 'h' : *f;
		else if (tl == 2 && f[0] == 'm' && f[1] == 's')
			t = 'm';
		else
			return errbuf_set(eb, "unknown type '%s'",
			    errbuf_quote(qb, sizeof(qb), f, tl));
		f = te ? te + 1 : end;
	}
	/* Then @rate and #tags, in any order. */
	while (f < end) {
		const char *fe = memchr(f, '|', (size_t)(end - f));
		fe = fe ? fe : end;
		if (*f == '@') {
			rate = parse_number(f + 1, (size_t)(fe - f - 1), &ok);
			if (!ok || rate <= 0 || rate > 1)
				return errbuf_set(eb, "bad sample rate");
		} else if (*f == '#') {
			const char *q = f + 1;
			while (q < fe) {
				const char *ce = memchr(q, ',', (size_t)(fe - q));
				const char *tc;
				ce = ce ? ce : fe;
				if (ntags == TAGS_MAX)
					return errbuf_set(eb, "more than %d tags",
					    TAGS_MAX);
				tc = memchr(q, ':', (size_t)(ce - q));
				tags[ntags].name = q;
				tags[ntags].name_len = (size_t)((tc ? tc : ce) - q);
				tags[ntags].value = tc ? tc + 1 : ce;
				tags[ntags].value_len = tc ? (size_t)(ce - tc - 1) : 0;
				if (tags[ntags].name_len)
					ntags++;
				q = ce + 1;
			}
		}
		/* Other fields (DogStatsD's c: container id, ...) pass. */
		f = fe + 1;
	}
	if (tenant) {
		size_t i, w = 0;
		for (i = 0; i < ntags; i++)
			if (!(tags[i].name_len == 6 &&
			    memcmp(tags[i].name, "tenant", 6) == 0))
				tags[w++] = tags[i];
		ntags = w;
		if (ntags == TAGS_MAX)
			return errbuf_set(eb, "more than %d tags", TAGS_MAX - 1);
		tags[ntags++] = (struct tag){ "tenant", tenant, 6,
		    strlen(tenant) };
	}
	if (t == 's') {
		s = series_get(sd, 's', p, (size_t)(colon - p), tags, ntags);
		strmap_intern(s->set, colon + 1, vl, strmap_hash(colon + 1, vl),
		    NULL);
		s->last = now;
		s->updated = 1;
		return 0;
	}
	v = parse_number(colon + 1, vl, &ok);
	if (!ok)
		return errbuf_set(eb, "bad value '%s'",
		    errbuf_quote(qb, sizeof(qb), colon + 1, vl));
	if (t == 'c' && v < 0)
		return errbuf_set(eb, "a counter cannot go down");
	s = series_get(sd, t == 'm' ? 'h' : t, p, (size_t)(colon - p), tags,
	    ntags);
	switch (t) {
	case 'c':
		s->value += v / rate;
		break;
	case 'g':
		/* A sign moves the gauge; none sets it. */
		if (colon[1] == '+' || colon[1] == '-')
			s->value += v;
		else
			s->value = v;
		break;
	default:
		observe(sd, s, t == 'm' ? v / 1000 : v);
		break;
	}
	s->last = now;
	s->updated = 1;
	return 0;
}

size_t
statsd_feed(struct statsd *sd, const char *p, size_t n, int64_t now,
    struct errbuf *eb)
{
	return statsd_feed_as(sd, p, n, now, NULL, eb);
}

size_t
statsd_feed_as(struct statsd *sd, const char *p, size_t n, int64_t now,
    const char *tenant, struct errbuf *eb)
{
	const char *end = p + n;
	size_t bad = 0;

	pthread_mutex_lock(&sd->lock);
	sd->packets++;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		struct errbuf e2 = ERRBUF_INIT;
		if (len && p[len - 1] == '\r')
			len--;
		if (len) {
			sd->lines++;
			if (feed_line(sd, p, len, now, tenant, &e2) == -1) {
				if (bad++ == 0)
					*eb = e2;
				sd->bad++;
			}
		}
		p = nl ? nl + 1 : end;
	}
	pthread_mutex_unlock(&sd->lock);
	return bad;
}

/* Write one sample of 's' (or of a name of its own) with the extra labels. */
static int
put(struct statsd *sd, const struct series *s, const char *name,
    enum metric_type type, double v, int64_t ts,
    const struct ingest_sink *sink, struct errbuf *eb)
{
	struct label l[TAGS_MAX + EXTRA_MAX];
	struct errbuf e2 = ERRBUF_INIT;
	struct sample smp;
	size_t n = metric_labels_over(s ? s->labels : NULL, s ? s->nlabels : 0,
	    sd->extra, sd->nextra, l);

	memset(&smp, 0, sizeof(smp));
	smp.name = name;
	smp.name_len = strlen(name);
	smp.type = type;
	smp.value = v;
	smp.ts = ts;
	smp.has_ts = 1;
	smp.labels = l;
	smp.nlabels = n;
	if (metric_check(&smp, &e2) == -1) {
		sd->bad++;	/* a tag the stream refuses: counted */
		return 0;
	}
	return sink->add(sink->ctx, &smp, eb) == -1 ? -1 : 0;
}

/* Forget the expired series once they are the most: a new map. */
static void
compact(struct statsd *sd)
{
	struct strmap *keys;
	size_t i, w = 0;

	if (sd->ndead < 1024 || sd->ndead < sd->n / 2)
		return;
	keys = strmap_new();
	for (i = 0; i < sd->n; i++) {
		struct series *s = &sd->v[i];
		size_t k;
		if (s->dead)
			continue;
		buf_reset(&sd->key);
		buf_addch(&sd->key, s->type);
		buf_adds(&sd->key, s->name);
		buf_addch(&sd->key, '\0');
		for (k = 0; k < s->nlabels; k++) {
			buf_add(&sd->key, s->labels[k].name, s->labels[k].name_len + 1);
			buf_add(&sd->key, s->labels[k].value, s->labels[k].value_len + 1);
		}
		strmap_intern(keys, sd->key.p, sd->key.len,
		    strmap_hash(sd->key.p, sd->key.len), NULL);
		sd->v[w++] = *s;
	}
	sd->n = w;
	sd->ndead = 0;
	strmap_free(sd->keys);
	sd->keys = keys;
}

static int
flush_locked(struct statsd *sd, int64_t now, const struct ingest_sink *sink,
    struct errbuf *eb)
{
	size_t i, k;

	for (i = 0; i < sd->n; i++) {
		struct series *s = &sd->v[i];
		if (s->dead)
			continue;
		if (sd->o.ttl_ms && now - s->last > sd->o.ttl_ms) {
			series_release(s);
			s->dead = 1;
			sd->ndead++;
			sd->expired++;
			continue;
		}
		switch (s->type) {
		case 'c':
			if (put(sd, s, s->name, METRIC_COUNTER, s->value, now, sink,
			    eb) == -1)
				return -1;
			break;
		case 'g':
			if (put(sd, s, s->name, METRIC_GAUGE, s->value, now, sink,
			    eb) == -1)
				return -1;
			break;
		case 's':
			if (s->updated && put(sd, s, s->name, METRIC_GAUGE,
			    (double)strmap_count(s->set), now, sink, eb) == -1)
				return -1;
			strmap_free(s->set);
			s->set = strmap_new();
			break;
		default: {
			/* Observations one millisecond apart, up to 'now'. */
			size_t m = s->nobs;
			for (k = 0; k < m; k++)
				if (put(sd, s, s->name, METRIC_HISTOGRAM, s->obs[k],
				    now - (int64_t)(m - 1 - k), sink, eb) == -1)
					return -1;
			buf_reset(&sd->names);
			buf_addf(&sd->names, "%s_count", s->name);
			if (put(sd, s, sd->names.p, METRIC_COUNTER,
			    (double)s->count, now, sink, eb) == -1)
				return -1;
			buf_reset(&sd->names);
			buf_addf(&sd->names, "%s_sum", s->name);
			/* A sum that can go down is no counter. */
			if (put(sd, s, sd->names.p, s->negative ? METRIC_GAUGE :
			    METRIC_COUNTER, s->sum, now, sink, eb) == -1)
				return -1;
			s->nobs = 0;
			s->seen = 0;
			break;
		}
		}
		s->updated = 0;
	}
	{
		const struct { const char *name; double v; enum metric_type t; } m[] = {
			{ "mtk_statsd_packets_total", (double)sd->packets, METRIC_COUNTER },
			{ "mtk_statsd_lines_total", (double)sd->lines, METRIC_COUNTER },
			{ "mtk_statsd_bad_lines_total", (double)sd->bad, METRIC_COUNTER },
			{ "mtk_statsd_packets_dropped_total", (double)sd->dropped,
			  METRIC_COUNTER },
			{ "mtk_statsd_expired_total", (double)sd->expired, METRIC_COUNTER },
			{ "mtk_statsd_observations_sampled_out_total",
			  (double)sd->sampled_out, METRIC_COUNTER },
			{ "mtk_statsd_series", (double)(sd->n - sd->ndead), METRIC_GAUGE },
		};
		for (i = 0; !sd->o.no_own_metrics &&
		    i < sizeof(m) / sizeof(m[0]); i++)
			if (put(sd, NULL, m[i].name, m[i].t, m[i].v, now, sink,
			    eb) == -1)
				return -1;
		pthread_mutex_lock(&sd->shown_lock);
		buf_reset(&sd->shown);
		for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
			char num[NUMBER_BUFSZ];
			number_format(num, m[i].v);
			buf_addf(&sd->shown, "# TYPE %s %s\n%s %s\n", m[i].name,
			    m[i].t == METRIC_GAUGE ? "gauge" : "counter",
			    m[i].name, num);
		}
		pthread_mutex_unlock(&sd->shown_lock);
	}
	compact(sd);
	return sink->commit(sink->ctx, eb);
}

int
statsd_flush(struct statsd *sd, int64_t now, const struct ingest_sink *sink,
    struct errbuf *eb)
{
	int rc;

	pthread_mutex_lock(&sd->lock);
	rc = flush_locked(sd, now, sink, eb);
	pthread_mutex_unlock(&sd->lock);
	return rc;
}

void
statsd_metrics(void *arg, struct buf *out)
{
	struct statsd *sd = arg;

	pthread_mutex_lock(&sd->shown_lock);
	buf_add(out, sd->shown.p ? sd->shown.p : "", sd->shown.len);
	pthread_mutex_unlock(&sd->shown_lock);
}

/* What the listener's callback feeds. */
struct serving {
	struct statsd *sd;
	uint64_t bad;
	struct errbuf first;
};

static void
on_packet(void *arg, const char *p, size_t n)
{
	struct serving *sv = arg;
	struct errbuf eb = ERRBUF_INIT;
	size_t bad = statsd_feed(sv->sd, p, n, ts_now(), &eb);

	if (bad && sv->bad == 0)
		sv->first = eb;
	sv->bad += bad;
}

int
statsd_serve(struct statsd *sd, struct listener *l,
    const volatile sig_atomic_t *stop, const struct ingest_sink *sink,
    void (*warn)(void *, const char *), void *warn_arg, struct errbuf *eb)
{
	struct serving sv;
	int64_t next = ts_now() + sd->o.flush_ms;
	uint64_t dropped;
	int last = 0;

	memset(&sv, 0, sizeof(sv));
	sv.sd = sd;
	for (;;) {
		int64_t left = next - ts_now();
		dropped = 0;
		if (left > 0 && !*stop && l == NULL) {
			/* Only HTTP pushes feed it: a signal wakes the sleep. */
			struct timespec ts = { 0, (long)(left > 999 ? 999 : left) *
				1000000L };
			nanosleep(&ts, NULL);
		} else if (left > 0 && !*stop &&
		    listener_poll(l, (int)(left > 1000 ? 1000 : left), on_packet,
		    &sv, &dropped, eb) == -1) {
			return -1;
		}
		last = *stop != 0;
		/* Stopping: what is already waiting is read first. */
		if (last && l && listener_poll(l, 0, on_packet, &sv, &dropped,
		    eb) == -1)
			return -1;
		statsd_dropped(sd, dropped);
		if (ts_now() < next && !last)
			continue;
		if (sv.bad && warn) {
			char msg[600];
			snprintf(msg, sizeof(msg), "statsd: %llu bad line%s, the "
			    "first: %s", (unsigned long long)sv.bad,
			    sv.bad == 1 ? "" : "s", sv.first.msg);
			warn(warn_arg, msg);
		}
		sv.bad = 0;
		if (statsd_flush(sd, ts_now(), sink, eb) == -1)
			return -1;
		if (last)
			return 0;
		next += sd->o.flush_ms;
		if (next <= ts_now())
			next = ts_now() + sd->o.flush_ms;
	}
}
