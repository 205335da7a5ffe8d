/* alert.c - rules evaluated at an instant, with the alerts' state between runs */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <jansson.h>

#include "alert/alert.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/number.h"
#include "base/strmap.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "query/query.h"
#include "stream/jsonl.h"
#include "stream/metric.h"

enum { INACTIVE, PENDING, FIRING };
static const char *const state_names[] = { "inactive", "pending", "firing" };

/* Prometheus keeps a resolved alert this long (for resending). */
#define RESOLVED_KEEP_MS (15 * 60000LL)

struct entry {
	char *group;		/* "file;name" */
	char *rule;		/* the rule's name */
	unsigned rule_n;	/* which of the group's rules of that name */
	struct tmpl_label *labels, *annotations;	/* owned, sorted */
	size_t nlabels, nannotations;
	double value;
	int state;
	int64_t active_at, fired_at, resolved_at, keep_firing_since;
	int seen;		/* in the result of this run */
};

struct group_seen {
	char *key;
	int64_t last;		/* the last evaluation, ms */
};

struct alert_state {
	char *path;
	int lockfd;
	struct entry *v;
	size_t n, cap;
	struct group_seen *g;
	size_t ng, gcap;
	struct alert_tally *t;	/* sorted by receiver */
	size_t nt, tcap;
};

static void
labels_free(struct tmpl_label *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)l[i].name);
		free((char *)l[i].value);
	}
	free(l);
}

static void
entry_release(struct entry *e)
{
	free(e->group);
	free(e->rule);
	labels_free(e->labels, e->nlabels);
	labels_free(e->annotations, e->nannotations);
}

static int
cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct tmpl_label *)a)->name,
	    ((const struct tmpl_label *)b)->name);
}

/* --- the state file --- */

/* A flat array of strings, name, value..., into a sorted label set. */
static int
read_labels(json_t *a, struct tmpl_label **out, size_t *n)
{
	size_t i;

	*out = NULL;
	*n = 0;
	if (!json_is_array(a) || json_array_size(a) % 2)
		return -1;
	*out = xcalloc(json_array_size(a) / 2 + 1, sizeof(**out));
	for (i = 0; i + 1 < json_array_size(a); i += 2) {
		json_t *k = json_array_get(a, i), *v = json_array_get(a, i + 1);
		if (!json_is_string(k) || !json_is_string(v))
			return -1;
		(*out)[*n].name = xstrdup(json_string_value(k));
		(*out)[*n].value = xstrdup(json_string_value(v));
		(*n)++;
	}
	qsort(*out, *n, sizeof(**out), cmp_label);
	return 0;
}

/* The counters of 'receiver', made when new, kept in name order. */
static struct alert_tally *
tally_get(struct alert_state *s, const char *receiver)
{
	size_t lo = 0, hi = s->nt;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(s->t[mid].receiver, receiver);
		if (c == 0)
			return &s->t[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	s->t = xgrow(s->t, &s->tcap, s->nt + 1, sizeof(*s->t));
	memmove(&s->t[lo + 1], &s->t[lo], (s->nt - lo) * sizeof(*s->t));
	s->nt++;
	s->t[lo].receiver = xstrdup(receiver);
	s->t[lo].sent = s->t[lo].failed = 0;
	return &s->t[lo];
}

void
alert_state_tally(struct alert_state *s, const char *receiver, int ok)
{
	struct alert_tally *t = tally_get(s, receiver);

	if (ok)
		t->sent++;
	else
		t->failed++;
}

const struct alert_tally *
alert_state_tallies(const struct alert_state *s, size_t *n)
{
	*n = s->nt;
	return s->t;
}

/*
 * The state file:
 *
 *	{"version":1,
 *	 "groups":{"FILE;GROUP":LAST_EVALUATION_MS, ...},
 *	 "alerts":[[GROUP, RULE, RULE_N, STATE, ACTIVE_AT, FIRED_AT,
 *	            RESOLVED_AT, KEEP_FIRING_SINCE, VALUE or null,
 *	            [LABEL, VALUE, ...], [ANNOTATION, VALUE, ...]], ...],
 *	 "receivers":{"NAME":[SENT, FAILED], ...}}
 *
 * "receivers" (the notices' counters) may be missing: none yet.
 */
static int
load(struct alert_state *s, struct errbuf *eb)
{
	json_error_t je;
	json_t *root, *a, *g, *v;
	const char *k;
	size_t i;

	if (access(s->path, F_OK) == -1 && errno == ENOENT)
		return 0;
	if ((root = json_load_file(s->path, 0, &je)) == NULL)
		return errbuf_set(eb, "%s:%d: %s", s->path, je.line, je.text);
	if (!json_is_object(root) ||
	    json_integer_value(json_object_get(root, "version")) != 1) {
		json_decref(root);
		return errbuf_set(eb, "%s: not a malert state file (version 1)",
		    s->path);
	}
	g = json_object_get(root, "groups");
	json_object_foreach(g, k, v) {
		s->g = xgrow(s->g, &s->gcap, s->ng + 1, sizeof(*s->g));
		s->g[s->ng].key = xstrdup(k);
		s->g[s->ng++].last = json_integer_value(v);
	}
	g = json_object_get(root, "receivers");
	json_object_foreach(g, k, v) {
		struct alert_tally *t = tally_get(s, k);
		t->sent = (uint64_t)json_integer_value(json_array_get(v, 0));
		t->failed = (uint64_t)json_integer_value(json_array_get(v, 1));
	}
	a = json_object_get(root, "alerts");
	for (i = 0; i < json_array_size(a); i++) {
		json_t *o = json_array_get(a, i);
		struct entry e;
		const char *st = json_string_value(json_array_get(o, 3));
		json_t *val = json_array_get(o, 8);
		memset(&e, 0, sizeof(e));
		if (!json_is_array(o) || json_array_size(o) != 11 ||
		    !json_is_string(json_array_get(o, 0)) ||
		    !json_is_string(json_array_get(o, 1)) || st == NULL ||
		    read_labels(json_array_get(o, 9), &e.labels, &e.nlabels) == -1 ||
		    read_labels(json_array_get(o, 10), &e.annotations,
		    &e.nannotations) == -1) {
			entry_release(&e);
			json_decref(root);
			return errbuf_set(eb, "%s: alert %zu is malformed",
			    s->path, i + 1);
		}
		e.group = xstrdup(json_string_value(json_array_get(o, 0)));
		e.rule = xstrdup(json_string_value(json_array_get(o, 1)));
		e.rule_n = (unsigned)json_integer_value(json_array_get(o, 2));
		e.state = strcmp(st, "firing") == 0 ? FIRING :
		    strcmp(st, "pending") == 0 ? PENDING : INACTIVE;
		e.active_at = json_integer_value(json_array_get(o, 4));
		e.fired_at = json_integer_value(json_array_get(o, 5));
		e.resolved_at = json_integer_value(json_array_get(o, 6));
		e.keep_firing_since = json_integer_value(json_array_get(o, 7));
		e.value = json_is_number(val) ? json_number_value(val) : NAN;
		s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
		s->v[s->n++] = e;
	}
	json_decref(root);
	return 0;
}

struct alert_state *
alert_state_open(const char *path, struct errbuf *eb)
{
	struct alert_state *s = xcalloc(1, sizeof(*s));
	char lock[PATH_MAX];

	s->path = xstrdup(path);
	s->lockfd = -1;
	if (snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock)) {
		errbuf_set(eb, "path too long: '%s'", path);
		goto bad;
	}
	if ((s->lockfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		errbuf_set(eb, "cannot open '%s': %s", lock, strerror(errno));
		goto bad;
	}
	/* A second run waits for the first: both would write the file. */
	while (flock(s->lockfd, LOCK_EX) == -1)
		if (errno != EINTR) {
			errbuf_set(eb, "cannot lock '%s': %s", lock,
			    strerror(errno));
			goto bad;
		}
	if (load(s, eb) == -1)
		goto bad;
	return s;
bad:
	alert_state_close(s);
	return NULL;
}

/* Labels as JSON: "{n:v,...}" ('open' '{', 'sep' ':') or "[n,v,...]". */
static void
labels_json(struct buf *b, const struct tmpl_label *l, size_t n, char open,
    char sep, char close)
{
	size_t i;

	buf_addch(b, open);
	for (i = 0; i < n; i++) {
		if (i)
			buf_addch(b, ',');
		jsonl_quote(b, l[i].name, strlen(l[i].name));
		buf_addch(b, sep);
		jsonl_quote(b, l[i].value, strlen(l[i].value));
	}
	buf_addch(b, close);
}

void
alert_json_labels(struct buf *b, const struct tmpl_label *l, size_t n)
{
	labels_json(b, l, n, '{', ':', '}');
}

/* Labels as a flat array of strings: name, value, name, value... */
static void
put_labels(struct buf *b, const struct tmpl_label *l, size_t n)
{
	labels_json(b, l, n, '[', ',', ']');
}

/*
 * The state as JSON, one alert per line, each an array (see load()):
 * thousands of alerts are read and written in milliseconds, where
 * objects with named members took a JSON library a second.
 */
static void
state_json(const struct alert_state *s, struct buf *b)
{
	char num[NUMBER_BUFSZ];
	size_t i;

	buf_adds(b, "{\"version\":1,\n\"groups\":{");
	for (i = 0; i < s->ng; i++) {
		buf_adds(b, i ? ",\n " : "\n ");
		jsonl_quote(b, s->g[i].key, strlen(s->g[i].key));
		buf_addf(b, ":%lld", (long long)s->g[i].last);
	}
	buf_adds(b, "},\n\"alerts\":[");
	for (i = 0; i < s->n; i++) {
		const struct entry *e = &s->v[i];
		buf_adds(b, i ? ",\n [" : "\n [");
		jsonl_quote(b, e->group, strlen(e->group));
		buf_addch(b, ',');
		jsonl_quote(b, e->rule, strlen(e->rule));
		buf_addf(b, ",%u,\"%s\",%lld,%lld,%lld,%lld,", e->rule_n,
		    state_names[e->state], (long long)e->active_at,
		    (long long)e->fired_at, (long long)e->resolved_at,
		    (long long)e->keep_firing_since);
		/* JSON has no NaN or infinities: null. */
		if (isfinite(e->value)) {
			number_format(num, e->value);
			buf_adds(b, num);
		} else {
			buf_adds(b, "null");
		}
		buf_addch(b, ',');
		put_labels(b, e->labels, e->nlabels);
		buf_addch(b, ',');
		put_labels(b, e->annotations, e->nannotations);
		buf_addch(b, ']');
	}
	buf_adds(b, "\n],\n\"receivers\":{");
	for (i = 0; i < s->nt; i++) {
		buf_adds(b, i ? ",\n " : "\n ");
		jsonl_quote(b, s->t[i].receiver, strlen(s->t[i].receiver));
		buf_addf(b, ":[%llu,%llu]", (unsigned long long)s->t[i].sent,
		    (unsigned long long)s->t[i].failed);
	}
	buf_adds(b, "}}\n");
}

struct alert_state *
alert_state_new(void)
{
	struct alert_state *s = xcalloc(1, sizeof(*s));

	s->lockfd = -1;
	return s;
}

size_t
alert_state_alertmanager(const struct alert_state *s, int64_t now,
    int64_t valid_ms, const char *generator_url, struct buf *out)
{
	char ts[TS_BUFSZ];
	size_t i, n = 0;

	buf_addch(out, '[');
	for (i = 0; i < s->n; i++) {
		const struct entry *e = &s->v[i];
		if (e->state == PENDING || e->fired_at == 0)
			continue;
		buf_adds(out, n++ ? ",{\"labels\":" : "{\"labels\":");
		alert_json_labels(out, e->labels, e->nlabels);
		buf_adds(out, ",\"annotations\":");
		alert_json_labels(out, e->annotations, e->nannotations);
		ts_format_rfc3339(ts, e->fired_at);
		buf_addf(out, ",\"startsAt\":\"%s\"", ts);
		ts_format_rfc3339(ts, e->state == FIRING ? now + valid_ms :
		    e->resolved_at);
		buf_addf(out, ",\"endsAt\":\"%s\"", ts);
		if (generator_url) {
			buf_adds(out, ",\"generatorURL\":");
			jsonl_quote(out, generator_url, strlen(generator_url));
		}
		buf_addch(out, '}');
	}
	buf_addch(out, ']');
	return n;
}

/* The view of entry 'e' the accessors below hand out. */
static void
view_of(const struct entry *e, struct alert_firing *f)
{
	f->labels = e->labels;
	f->nlabels = e->nlabels;
	f->annotations = e->annotations;
	f->nannotations = e->nannotations;
	f->value = e->value;
	f->firing = e->state == FIRING;
	f->starts_at = e->fired_at;
	f->ends_at = e->state == FIRING ? 0 : e->resolved_at;
}

struct alert_firing *
alert_state_firing(const struct alert_state *s, const char *alertname,
    size_t *n)
{
	struct alert_firing *f = xcalloc(s->n + 1, sizeof(*f));
	size_t i;

	*n = 0;
	for (i = 0; i < s->n; i++)
		if (s->v[i].state == FIRING &&
		    strcmp(s->v[i].rule, alertname) == 0)
			view_of(&s->v[i], &f[(*n)++]);
	return f;
}

struct alert_firing *
alert_state_notices(const struct alert_state *s, size_t *n)
{
	struct alert_firing *f = xcalloc(s->n + 1, sizeof(*f));
	size_t i;

	*n = 0;
	for (i = 0; i < s->n; i++)
		if (s->v[i].state != PENDING && s->v[i].fired_at != 0)
			view_of(&s->v[i], &f[(*n)++]);
	return f;
}

int
alert_state_save(struct alert_state *s, struct errbuf *eb)
{
	struct buf text = BUF_INIT;
	int rc = 0;

	if (s->path == NULL)
		return 0;	/* in memory only */
	state_json(s, &text);
	if (fileio_replace(s->path, text.p, text.len) == -1)
		rc = errbuf_set(eb, "cannot write '%s': %s", s->path,
		    strerror(errno));
	buf_release(&text);
	return rc;
}

void
alert_state_close(struct alert_state *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		entry_release(&s->v[i]);
	free(s->v);
	for (i = 0; i < s->ng; i++)
		free(s->g[i].key);
	free(s->g);
	for (i = 0; i < s->nt; i++)
		free(s->t[i].receiver);
	free(s->t);
	if (s->lockfd >= 0)
		close(s->lockfd);
	free(s->path);
	free(s);
}

void
alert_state_counts(const struct alert_state *s, size_t *pending,
    size_t *firing)
{
	size_t i;

	*pending = *firing = 0;
	for (i = 0; i < s->n; i++) {
		*pending += s->v[i].state == PENDING;
		*firing += s->v[i].state == FIRING;
	}
}

/* --- evaluation --- */

/* An event: a transition of 'e'. */
static void
event(struct buf *b, const struct entry *e, const char *status,
    const char *group)
{
	char num[NUMBER_BUFSZ], ts[TS_BUFSZ];

	buf_adds(b, "{\"status\":");
	jsonl_quote(b, status, strlen(status));
	buf_adds(b, ",\"labels\":");
	alert_json_labels(b, e->labels, e->nlabels);
	buf_adds(b, ",\"annotations\":");
	alert_json_labels(b, e->annotations, e->nannotations);
	buf_adds(b, ",\"value\":");
	if (isfinite(e->value)) {
		number_format(num, e->value);
		buf_adds(b, num);
	} else {
		/* JSON has no NaN: a string, as Prometheus' API writes values. */
		number_format(num, e->value);
		jsonl_quote(b, num, strlen(num));
	}
	ts_format_rfc3339(ts, e->fired_at);
	buf_adds(b, ",\"startsAt\":\"");
	buf_adds(b, ts);
	buf_adds(b, "\"");
	if (e->state == INACTIVE) {
		ts_format_rfc3339(ts, e->resolved_at);
		buf_adds(b, ",\"endsAt\":\"");
		buf_adds(b, ts);
		buf_adds(b, "\"");
	}
	buf_adds(b, ",\"group\":");
	jsonl_quote(b, group, strlen(group));
	buf_adds(b, ",\"rule\":");
	jsonl_quote(b, e->rule, strlen(e->rule));
	buf_adds(b, "}\n");
}

/* The entries of one rule, by index into the state's array. */
struct rule_entries {
	size_t *v;
	size_t n, cap;
};

struct eval {
	const struct alert_opts *o;
	struct alert_state *s;
	struct store *st;
	const struct promql_source *stream;
	struct alert_stats *stats;
	struct buf out;		/* events of this run */
	alert_warn_fn warn;
	void *arg;
	/*
	 * Indexes of the state for this run: an alert's key (group, rule,
	 * its number, labels) to its entry, a rule's key to its entries.
	 * Thousands of rules and alerts are looked up without a scan.
	 */
	struct strmap *akeys, *rkeys;
	size_t *aidx;		/* by alert key number: the entry */
	size_t aidx_cap;
	struct rule_entries *rl;	/* by rule key number */
	size_t rl_cap;
	struct buf key;
	struct query_cache *cache;	/* readers of this moment */
};

static void
rule_key(struct buf *b, const char *group, const char *rule, unsigned n)
{
	buf_reset(b);
	buf_adds(b, group);
	buf_addch(b, '\0');
	buf_adds(b, rule);
	buf_addf(b, "%c%u", 0, n);
}

static void
alert_key(struct buf *b, const char *group, const char *rule, unsigned n,
    const struct tmpl_label *l, size_t nl)
{
	size_t i;

	rule_key(b, group, rule, n);
	for (i = 0; i < nl; i++) {
		buf_addch(b, '\0');
		buf_adds(b, l[i].name);
		buf_addch(b, '\0');
		buf_adds(b, l[i].value);
	}
}

/* The entries of rule (group, rule, n), made empty when new. */
static struct rule_entries *
rule_list(struct eval *ev, const char *group, const char *rule, unsigned n)
{
	uint32_t id;
	int created;

	rule_key(&ev->key, group, rule, n);
	id = strmap_intern(ev->rkeys, ev->key.p, ev->key.len,
	    strmap_hash(ev->key.p, ev->key.len), &created);
	if (created) {
		ev->rl = xgrow(ev->rl, &ev->rl_cap, (size_t)id + 1,
		    sizeof(*ev->rl));
		memset(&ev->rl[id], 0, sizeof(ev->rl[id]));
	}
	return &ev->rl[id];
}

/* Index entry 'i' of the state. */
static void
index_entry(struct eval *ev, size_t i)
{
	const struct entry *e = &ev->s->v[i];
	struct rule_entries *re = rule_list(ev, e->group, e->rule, e->rule_n);
	uint32_t id;

	alert_key(&ev->key, e->group, e->rule, e->rule_n, e->labels, e->nlabels);
	id = strmap_intern(ev->akeys, ev->key.p, ev->key.len,
	    strmap_hash(ev->key.p, ev->key.len), NULL);
	ev->aidx = xgrow(ev->aidx, &ev->aidx_cap, (size_t)id + 1,
	    sizeof(*ev->aidx));
	ev->aidx[id] = i;
	re->v = xgrow(re->v, &re->cap, re->n + 1, sizeof(*re->v));
	re->v[re->n++] = i;
}

static void
rule_failed(struct eval *ev, const struct rule_group *g, const struct rule *r,
    const char *why)
{
	char msg[1200];

	snprintf(msg, sizeof(msg), "%s: group \"%s\", rule \"%s\": %s", g->file,
	    g->name, r->name, why);
	ev->stats->failed++;
	if (ev->warn)
		ev->warn(ev->arg, msg);
}

/* The result of 'r' at the evaluation time. */
static struct promql_result *
query(struct eval *ev, const struct rule *r, struct errbuf *eb)
{
	struct query_request rq = QUERY_REQUEST_INIT;
	struct promql_result *res;

	rq.expr = r->expr;
	rq.time = rq.start = rq.end = ev->o->now;
	rq.given = QUERY_GIVEN_TIME | (ev->stream ? QUERY_GIVEN_STREAM : 0);
	rq.limits = ev->o->limits;
	rq.cache = ev->cache;
	if ((res = query_result(ev->st, ev->stream, &rq, eb)) == NULL)
		return NULL;
	if (res->type == PROMQL_TYPE_STRING || res->type == PROMQL_TYPE_MATRIX) {
		errbuf_set(eb, "the expression gives a %s, not an instant "
		    "vector or a scalar", res->type == PROMQL_TYPE_STRING ?
		    "string" : "range vector");
		promql_result_free(res);
		return NULL;
	}
	return res;
}

/* Labels of series 'rs' as template data, __name__ included. */
static struct tmpl_label *
series_labels(const struct promql_rseries *rs, size_t *n)
{
	struct tmpl_label *l = xcalloc(rs->nlabels + 1, sizeof(*l));
	size_t i;

	for (i = 0; i < rs->nlabels; i++) {
		l[i].name = rs->labels[i].name;
		l[i].value = rs->labels[i].value;
	}
	*n = rs->nlabels;
	return l;
}

/* Expand 'kv' with 'd' into an owned string; a failure reads as Prometheus'. */
static char *
expand(const struct rule_kv *kv, const struct tmpl_data *d)
{
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	char *s;

	if (kv->t == NULL || tmpl_exec(kv->t, d, &b, &eb) == -1) {
		buf_reset(&b);
		buf_addf(&b, "<error expanding template: %s>", kv->t ? eb.msg :
		    "not parsed");
	}
	s = xmalloc(b.len + 1);
	memcpy(s, b.len ? b.p : "", b.len);
	s[b.len] = '\0';
	buf_release(&b);
	return s;
}

/* Put label 'name' = 'value' (owned) into the sorted set 'l'. */
static void
set_label(struct tmpl_label **l, size_t *n, const char *name, char *value)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*l)[i].name, name) == 0) {
			free((char *)(*l)[i].value);
			(*l)[i].value = value;
			return;
		}
	*l = xreallocarray(*l, *n + 1, sizeof(**l));
	(*l)[*n].name = xstrdup(name);
	(*l)[*n].value = value;
	(*n)++;
	qsort(*l, *n, sizeof(**l), cmp_label);
}

/* The entry of an alert, or NULL. */
static struct entry *
find(struct eval *ev, const char *group, const struct rule *r,
    unsigned rule_n, const struct tmpl_label *l, size_t nl)
{
	long id;

	alert_key(&ev->key, group, r->name, rule_n, l, nl);
	id = strmap_find(ev->akeys, ev->key.p, ev->key.len,
	    strmap_hash(ev->key.p, ev->key.len));
	return id < 0 ? NULL : &ev->s->v[ev->aidx[id]];
}

/* The alerts of one result, built before any is changed. */
struct built {
	struct tmpl_label *labels, *annotations;
	size_t nlabels, nannotations;
	double value;
};

static void
built_free(struct built *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		labels_free(b[i].labels, b[i].nlabels);
		labels_free(b[i].annotations, b[i].nannotations);
	}
	free(b);
}

static int
eval_alerting(struct eval *ev, const struct rule_group *g, const char *gkey,
    const struct rule *r, unsigned rule_n, const struct promql_result *res,
    int after_gap)
{
	const struct alert_opts *o = ev->o;
	struct alert_state *s = ev->s;
	struct built *b = xcalloc(res->n + 1, sizeof(*b));
	struct rule_entries *re;
	struct strmap *seen = strmap_new();	/* the labelsets built */
	size_t nb = 0, i, j, k, active = 0;
	int created;
	int64_t now = o->now;

	for (i = 0; i < res->n; i++) {
		const struct promql_rseries *rs = &res->series[i];
		struct tmpl_data d;
		struct tmpl_label *sl;
		size_t nsl;
		if (rs->n == 0)
			continue;
		sl = series_labels(rs, &nsl);
		d.labels = sl;
		d.nlabels = nsl;
		d.external = o->external;
		d.nexternal = o->nexternal;
		d.value = rs->v[rs->n - 1];
		d.external_url = o->external_url;
		b[nb].value = d.value;
		b[nb].labels = xcalloc(nsl + 1, sizeof(*b[nb].labels));
		for (j = 0; j < nsl; j++) {
			if (strcmp(sl[j].name, "__name__") == 0)
				continue;
			b[nb].labels[b[nb].nlabels].name = xstrdup(sl[j].name);
			b[nb].labels[b[nb].nlabels++].value = xstrdup(sl[j].value);
		}
		for (j = 0; j < r->nlabels; j++)
			set_label(&b[nb].labels, &b[nb].nlabels, r->labels[j].name,
			    expand(&r->labels[j], &d));
		set_label(&b[nb].labels, &b[nb].nlabels, "alertname",
		    xstrdup(r->name));
		if (o->tenant)
			set_label(&b[nb].labels, &b[nb].nlabels, "tenant",
			    xstrdup(o->tenant));
		for (j = 0; j < r->nannotations; j++)
			set_label(&b[nb].annotations, &b[nb].nannotations,
			    r->annotations[j].name, expand(&r->annotations[j], &d));
		free(sl);
		alert_key(&ev->key, "", "", 0, b[nb].labels, b[nb].nlabels);
		strmap_intern(seen, ev->key.p, ev->key.len,
		    strmap_hash(ev->key.p, ev->key.len), &created);
		nb++;
		if (!created) {
			built_free(b, nb);
			strmap_free(seen);
			rule_failed(ev, g, r, "vector contains metrics with the "
			    "same labelset after applying alert labels");
			return 0;
		}
	}
	strmap_free(seen);
	/* The result, merged into the alerts held. */
	re = rule_list(ev, gkey, r->name, rule_n);
	for (i = 0; i < re->n; i++)
		s->v[re->v[i]].seen = 0;
	for (i = 0; i < nb; i++) {
		struct entry *e = find(ev, gkey, r, rule_n, b[i].labels,
		    b[i].nlabels);
		if (e == NULL) {
			s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
			e = &s->v[s->n++];
			memset(e, 0, sizeof(*e));
			e->group = xstrdup(gkey);
			e->rule = xstrdup(r->name);
			e->rule_n = rule_n;
			e->labels = b[i].labels;
			e->nlabels = b[i].nlabels;
			b[i].labels = NULL;
			b[i].nlabels = 0;
			e->state = INACTIVE;
			index_entry(ev, s->n - 1);
			re = rule_list(ev, gkey, r->name, rule_n);
		}
		labels_free(e->annotations, e->nannotations);
		e->annotations = b[i].annotations;
		e->nannotations = b[i].nannotations;
		b[i].annotations = NULL;
		b[i].nannotations = 0;
		e->value = b[i].value;
		e->seen = 1;
		if (e->state == INACTIVE) {
			/* New, or back after it resolved: pending from now. */
			e->state = PENDING;
			e->active_at = now;
			e->fired_at = e->resolved_at = 0;
		}
	}
	built_free(b, nb);
	for (k = 0; k < re->n; k++) {
		struct entry *e = &s->v[re->v[k]];
		int keep = 0;
		if (!e->seen) {
			if (e->state == FIRING && r->keep_firing_ms > 0) {
				if (e->keep_firing_since == 0)
					e->keep_firing_since = now;
				keep = now - e->keep_firing_since < r->keep_firing_ms;
			}
			/* After a gap a firing alert waits a run to resolve. */
			if (e->state == FIRING && after_gap)
				keep = 1;
			if (e->state == PENDING) {
				e->state = INACTIVE;
				e->resolved_at = now;
				continue;
			}
			if (e->state == FIRING && !keep) {
				e->state = INACTIVE;
				e->resolved_at = now;
				event(&ev->out, e, "resolved", gkey);
				ev->stats->resolved++;
			}
			if (!keep)
				continue;
		} else {
			e->keep_firing_since = 0;
		}
		active++;
		if (e->state == PENDING && after_gap && e->active_at < now)
			e->active_at = now;	/* the gap was not seen */
		if (e->state == PENDING && now - e->active_at >= r->for_ms) {
			e->state = FIRING;
			e->fired_at = now;
			event(&ev->out, e, "firing", gkey);
			ev->stats->firing++;
		}
	}
	if (g->limit && active > g->limit) {
		char why[128];
		for (k = 0; k < re->n; k++)
			s->v[re->v[k]].state = INACTIVE;
		snprintf(why, sizeof(why), "exceeded limit of %llu with %zu "
		    "alerts", (unsigned long long)g->limit, active);
		rule_failed(ev, g, r, why);
	}
	return 0;
}

static int
eval_recording(struct eval *ev, const struct rule_group *g,
    const struct rule *r, const struct promql_result *res, struct errbuf *eb)
{
	const char *tenant = ev->o->tenant;
	struct sample smp;
	struct label *ml;
	size_t i, j, n;

	if (g->limit && res->n > g->limit) {
		char why[128];
		snprintf(why, sizeof(why), "exceeded limit of %llu with %zu "
		    "series", (unsigned long long)g->limit, res->n);
		rule_failed(ev, g, r, why);
		return 0;
	}
	if (ev->o->record == NULL)
		return 0;
	for (i = 0; i < res->n; i++) {
		const struct promql_rseries *rs = &res->series[i];
		struct errbuf e2 = ERRBUF_INIT;
		int rc;
		if (rs->n == 0)
			continue;
		ml = xcalloc(rs->nlabels + r->nlabels + 2, sizeof(*ml));
		n = 0;
		for (j = 0; j < rs->nlabels; j++) {
			size_t k;
			if (strcmp(rs->labels[j].name, "__name__") == 0 ||
			    (tenant && strcmp(rs->labels[j].name, "tenant") == 0))
				continue;
			for (k = 0; k < r->nlabels; k++)
				if (strcmp(r->labels[k].name, rs->labels[j].name) == 0)
					break;
			if (k < r->nlabels)
				continue;	/* the rule's label wins */
			ml[n].name = rs->labels[j].name;
			ml[n].name_len = (uint32_t)strlen(rs->labels[j].name);
			ml[n].value = rs->labels[j].value;
			ml[n++].value_len = (uint32_t)rs->labels[j].value_len;
		}
		for (j = 0; j < r->nlabels; j++) {
			if (r->labels[j].value[0] == '\0' ||
			    (tenant && strcmp(r->labels[j].name, "tenant") == 0))
				continue;
			ml[n].name = r->labels[j].name;
			ml[n].name_len = (uint32_t)strlen(r->labels[j].name);
			ml[n].value = r->labels[j].value;
			ml[n++].value_len = (uint32_t)strlen(r->labels[j].value);
		}
		if (tenant) {
			ml[n].name = "tenant";
			ml[n].name_len = 6;
			ml[n].value = tenant;
			ml[n++].value_len = (uint32_t)strlen(tenant);
		}
		memset(&smp, 0, sizeof(smp));
		smp.name = r->name;
		smp.name_len = strlen(r->name);
		smp.type = METRIC_GAUGE;
		smp.value = rs->v[rs->n - 1];
		smp.ts = ev->o->now;
		smp.has_ts = 1;
		smp.labels = ml;
		smp.nlabels = n;
		if ((rc = metric_check(&smp, &e2)) == 0)
			rc = ev->o->record->add(ev->o->record->ctx, &smp, &e2);
		free(ml);
		if (rc == -1)
			return errbuf_set(eb, "%s", e2.msg);
		if (rc != 0) {
			rule_failed(ev, g, r, e2.msg);
			return 0;
		}
		ev->stats->recorded++;
	}
	/* Visible to the rules after it, as in Prometheus. */
	if (ev->o->record->commit(ev->o->record->ctx, eb) == -1)
		return -1;
	query_cache_clear(ev->cache);
	return 0;
}

static struct group_seen *
group_seen(struct alert_state *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->ng; i++)
		if (strcmp(s->g[i].key, key) == 0)
			return &s->g[i];
	s->g = xgrow(s->g, &s->gcap, s->ng + 1, sizeof(*s->g));
	s->g[s->ng].key = xstrdup(key);
	s->g[s->ng].last = 0;
	return &s->g[s->ng++];
}

int
alert_eval(const struct rule_set *rs, struct alert_state *s, struct store *st,
    const struct promql_source *stream, const struct alert_opts *o,
    FILE *events, struct alert_stats *stats, alert_warn_fn warn, void *arg,
    struct errbuf *eb)
{
	struct eval ev = { o, s, st, stream, stats, BUF_INIT, warn, arg,
		strmap_new(), strmap_new(), NULL, 0, NULL, 0, BUF_INIT,
		query_cache_new() };
	struct buf gkey = BUF_INIT;
	size_t i, j, k, w;
	int rc = 0;

	for (i = 0; i < s->n; i++)
		index_entry(&ev, i);

	for (i = 0; i < rs->ngroups && rc == 0; i++) {
		const struct rule_group *g = &rs->groups[i];
		struct group_seen *gs;
		int64_t interval = g->interval_ms ? g->interval_ms : o->interval_ms;
		int after_gap;
		buf_reset(&gkey);
		buf_addf(&gkey, "%s;%s", g->file, g->name);
		gs = group_seen(s, gkey.p);
		after_gap = !o->no_gaps && gs->last != 0 &&
		    o->now - gs->last > 2 * interval;
		for (j = 0; j < g->nrules && rc == 0; j++) {
			const struct rule *r = &g->rules[j];
			struct promql_result *res;
			unsigned rule_n = 0;
			for (k = 0; k < j; k++)
				rule_n += strcmp(g->rules[k].name, r->name) == 0;
			stats->rules++;
			if ((res = query(&ev, r, eb)) == NULL) {
				rule_failed(&ev, g, r, eb->msg);
				continue;
			}
			if (r->kind == RULE_ALERT)
				rc = eval_alerting(&ev, g, gkey.p, r, rule_n, res,
				    after_gap);
			else
				rc = eval_recording(&ev, g, r, res, eb);
			promql_result_free(res);
		}
		gs->last = o->now;
	}
	buf_release(&gkey);
	for (i = 0; i < strmap_count(ev.rkeys); i++)
		free(ev.rl[i].v);
	free(ev.rl);
	free(ev.aidx);
	strmap_free(ev.akeys);
	strmap_free(ev.rkeys);
	buf_release(&ev.key);
	query_cache_free(ev.cache);
	/* Resolved alerts are kept a while, as Prometheus keeps them. */
	for (i = w = 0; i < s->n; i++) {
		struct entry *e = &s->v[i];
		if (e->state == INACTIVE && (e->fired_at == 0 ||
		    o->now - e->resolved_at > RESOLVED_KEEP_MS)) {
			entry_release(e);
			continue;
		}
		s->v[w++] = *e;
	}
	s->n = w;
	if (rc == 0 && ev.out.len > 0 &&
	    (fwrite(ev.out.p, 1, ev.out.len, events) != ev.out.len ||
	    fflush(events) == EOF))
		rc = errbuf_set(eb, "cannot write the events: %s",
		    strerror(errno));
	buf_release(&ev.out);
	return rc;
}
