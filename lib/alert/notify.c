/* notify.c - notices of alert groups to receivers, with their state */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "alert/notice.h"
#include "alert/notify.h"
#include "base/buf.h"
#include "base/fileio.h"
#include "base/proc.h"
#include "base/strmap.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "stream/jsonl.h"

/* What is kept of a group between runs. */
struct group_state {
	char *key;
	int64_t last_sent;
	char **notified;	/* keys of the alerts firing at the last notice */
	size_t nnotified;
	unsigned failures;
	int64_t retry_at;
	int64_t since;		/* first seen, while it waits for group_wait */
	int seen;		/* a group of this run */
};

struct gstates {
	struct group_state *v;
	size_t n, cap;
};

static void
gstate_release(struct group_state *g)
{
	size_t i;

	free(g->key);
	for (i = 0; i < g->nnotified; i++)
		free(g->notified[i]);
	free(g->notified);
}

static int
load(struct gstates *gs, const char *path, struct errbuf *eb)
{
	json_error_t je;
	json_t *root, *v;
	const char *k;

	if (access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	if ((root = json_load_file(path, 0, &je)) == NULL)
		return errbuf_set(eb, "%s:%d: %s", path, je.line, je.text);
	json_object_foreach(root, k, v) {
		struct group_state g;
		json_t *a = json_array_get(v, 3);
		size_t i;
		memset(&g, 0, sizeof(g));
		g.key = xstrdup(k);
		g.last_sent = json_integer_value(json_array_get(v, 0));
		g.failures = (unsigned)json_integer_value(json_array_get(v, 1));
		g.retry_at = json_integer_value(json_array_get(v, 2));
		g.since = json_integer_value(json_array_get(v, 4));
		g.notified = xcalloc(json_array_size(a) + 1, sizeof(char *));
		for (i = 0; i < json_array_size(a); i++)
			if (json_is_string(json_array_get(a, i)))
				g.notified[g.nnotified++] =
				    xstrdup(json_string_value(json_array_get(a, i)));
		gs->v = xgrow(gs->v, &gs->cap, gs->n + 1, sizeof(*gs->v));
		gs->v[gs->n++] = g;
	}
	json_decref(root);
	return 0;
}

static int
save(const struct gstates *gs, const char *path, struct errbuf *eb)
{
	struct buf b = BUF_INIT;
	size_t i, k;
	int rc = 0;

	buf_addch(&b, '{');
	for (i = 0; i < gs->n; i++) {
		const struct group_state *g = &gs->v[i];
		buf_adds(&b, i ? ",\n" : "\n");
		jsonl_quote(&b, g->key, strlen(g->key));
		buf_addf(&b, ":[%lld,%u,%lld,[", (long long)g->last_sent,
		    g->failures, (long long)g->retry_at);
		for (k = 0; k < g->nnotified; k++) {
			if (k)
				buf_addch(&b, ',');
			jsonl_quote(&b, g->notified[k], strlen(g->notified[k]));
		}
		buf_addf(&b, "],%lld]", (long long)g->since);
	}
	buf_adds(&b, "\n}\n");
	if (fileio_replace(path, b.p, b.len) == -1)
		rc = errbuf_set(eb, "cannot write '%s': %s", path,
		    strerror(errno));
	buf_release(&b);
	return rc;
}

/* "name=value,..." of sorted labels: an alert's key. */
static void
labels_key(struct buf *b, const struct tmpl_label *l, size_t n)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < n; i++)
		buf_addf(b, "%s%s=%s", i ? "," : "", l[i].name, l[i].value);
}

static int
has(const struct group_state *g, const char *key)
{
	size_t i;

	for (i = 0; g && i < g->nnotified; i++)
		if (strcmp(g->notified[i], key) == 0)
			return 1;
	return 0;
}

/* A group of this run: its route, labels, alerts. */
struct group {
	const struct route *r;
	const struct route_receiver *rv;	/* the route's, or its escalation */
	char *key;
	struct tmpl_label *glabels;	/* borrowed strings */
	size_t nglabels;
	size_t *alerts;
	size_t n, cap;
};

/*
 * Run 'rv' with 'body' on its standard input, its output to standard
 * error.  Returns 0 when it exited 0 in time, else -1 with why in 'eb'.
 */
static int
run_receiver(const struct route_receiver *rv, const struct buf *body,
    char *const *env, struct errbuf *eb)
{
	struct proc_result r;
	char why[128];

	if (rv->argv == NULL)
		return 0;	/* a receiver that does nothing */
	if (proc_run(rv->argv, env, body->p ? body->p : "", body->len, NULL, 0,
	    rv->timeout_ms, &r, eb) == -1)
		return -1;
	if (r.exited && r.status == 0 && !r.timed_out)
		return 0;
	proc_describe(&r, why, sizeof(why));
	return errbuf_set(eb, "%s", why);
}

static struct group_state *
gstate_get(struct gstates *gs, const char *key)
{
	size_t i;

	for (i = 0; i < gs->n; i++)
		if (strcmp(gs->v[i].key, key) == 0)
			return &gs->v[i];
	return NULL;
}

/* The state of group 'key', made (never told, first seen now) when new. */
static struct group_state *
gstate_make(struct gstates *gs, const char *key, int64_t now)
{
	struct group_state *st = gstate_get(gs, key);

	if (st == NULL) {
		gs->v = xgrow(gs->v, &gs->cap, gs->n + 1, sizeof(*gs->v));
		st = &gs->v[gs->n++];
		memset(st, 0, sizeof(*st));
		st->key = xstrdup(key);
		st->since = now;
	}
	st->seen = 1;
	return st;
}

/* What a run is given, for every group. */
struct ctx {
	struct gstates *gs;
	const struct alert_firing *a;
	int64_t now;
	const char *external_url;
	struct alert_state *s;
	struct notify_stats *stats;
	notify_warn_fn warn;
	void *arg;
};

/* Notify group 'g' if it is due; update its state. */
static void
notify_group(const struct ctx *c, struct group *g)
{
	struct group_state *st = gstate_get(c->gs, g->key);
	struct buf key = BUF_INIT, body = BUF_INIT, e[5];
	size_t *send = xcalloc(g->n + 1, sizeof(*send)), nsend = 0, nfiring = 0;
	size_t i;
	int changed = 0, due;
	struct errbuf eb = ERRBUF_INIT;
	struct notice nt;
	char *env[6];

	for (i = 0; i < g->n; i++) {
		const struct alert_firing *f = &c->a[g->alerts[i]];
		labels_key(&key, f->labels, f->nlabels);
		buf_addch(&key, '\0');
		if (f->firing) {
			send[nsend++] = g->alerts[i];
			nfiring++;
			changed |= !has(st, key.p);
		} else if (has(st, key.p)) {
			/* Resolved since it was told: told once more. */
			send[nsend++] = g->alerts[i];
			changed = 1;
		}
	}
	/* A group never told waits group_wait from when it was first seen. */
	if (nsend && (st == NULL || st->last_sent == 0))
		st = gstate_make(c->gs, g->key, c->now);
	if (st)
		st->seen = 1;
	due = nsend > 0 && ((changed && (st->last_sent == 0 ?
	    c->now - st->since >= g->r->group_wait_ms :
	    c->now - st->last_sent >= g->r->group_interval_ms)) ||
	    (nfiring && st->last_sent &&
	    c->now - st->last_sent >= g->r->repeat_interval_ms));
	/* After a failure: whatever there is to tell, once the backoff is past. */
	if (st && st->failures)
		due = nsend > 0 && c->now >= st->retry_at;
	if (!due) {
		free(send);
		buf_release(&key);
		return;
	}
	nt = (struct notice){ g->rv, g->key, g->glabels, g->nglabels, c->a,
		send, nsend, nfiring, c->external_url, c->now };
	notice_format(&body, &nt);
	for (i = 0; i < 5; i++)
		e[i] = (struct buf)BUF_INIT;
	buf_addf(&e[0], "MALERT_RECEIVER=%s", g->rv->name);
	buf_addf(&e[1], "MALERT_STATUS=%s", nfiring ? "firing" : "resolved");
	buf_addf(&e[2], "MALERT_GROUP_KEY=%s", g->key);
	buf_addf(&e[3], "MALERT_ALERTS=%zu", nsend);
	buf_addf(&e[4], "MALERT_FIRING=%zu", nfiring);
	for (i = 0; i < 5; i++) {
		buf_addch(&e[i], '\0');
		env[i] = e[i].p;
	}
	env[5] = NULL;
	if (run_receiver(g->rv, &body, env, &eb) == 0) {
		/* What fires now is what was told. */
		for (i = 0; i < st->nnotified; i++)
			free(st->notified[i]);
		st->nnotified = 0;
		st->notified = xreallocarray(st->notified, nfiring + 1,
		    sizeof(*st->notified));
		for (i = 0; i < nsend; i++) {
			const struct alert_firing *f = &c->a[send[i]];
			if (!f->firing)
				continue;
			labels_key(&key, f->labels, f->nlabels);
			buf_addch(&key, '\0');
			st->notified[st->nnotified++] = xstrdup(key.p);
		}
		st->last_sent = c->now;
		st->failures = 0;
		st->retry_at = 0;
		c->stats->sent++;
		alert_state_tally(c->s, g->rv->name, 1);
	} else {
		char msg[700];
		int64_t backoff = 60000;
		for (i = 1; i < st->failures && backoff < g->r->repeat_interval_ms; i++)
			backoff *= 2;
		if (backoff > g->r->repeat_interval_ms)
			backoff = g->r->repeat_interval_ms;
		st->failures++;
		st->retry_at = c->now + backoff;
		c->stats->failed++;
		alert_state_tally(c->s, g->rv->name, 0);
		snprintf(msg, sizeof(msg), "receiver '%s', group %s: %s; again "
		    "in %llds", g->rv->name, g->key, eb.msg,
		    (long long)(backoff / 1000));
		if (c->warn)
			c->warn(c->arg, msg);
	}
	for (i = 0; i < 5; i++)
		buf_release(&e[i]);
	buf_release(&body);
	buf_release(&key);
	free(send);
}

int
notify_run(const struct route_config *routes, struct alert_state *s,
    const struct silences *ss, int64_t now, const char *external_url,
    const char *path,
    struct notify_stats *stats, notify_warn_fn warn, void *arg,
    struct errbuf *eb)
{
	struct gstates gs = { NULL, 0, 0 };
	struct alert_firing *a;
	struct group *groups = NULL;
	struct strmap *keys = strmap_new();
	struct buf key = BUF_INIT;
	struct route_labels *firing;
	struct ctx c;
	size_t na, ng = 0, gcap = 0, i, j, k, w, nfiring = 0;
	int e;
	int rc = 0;

	if (load(&gs, path, eb) == -1) {
		strmap_free(keys);
		return -1;
	}
	a = alert_state_notices(s, &na);
	/* The firing alerts, for the inhibit rules. */
	firing = xcalloc(na + 1, sizeof(*firing));
	for (i = 0; i < na; i++)
		if (a[i].firing) {
			firing[nfiring].l = a[i].labels;
			firing[nfiring++].n = a[i].nlabels;
		}
	for (i = 0; i < na; i++) {
		const struct route *r[16];
		struct route_labels self = { a[i].labels, a[i].nlabels };
		size_t nr;
		if ((ss && silences_mute(ss, a[i].labels, a[i].nlabels, now)) ||
		    route_inhibited(routes, firing, nfiring, &self))
			continue;	/* muted */
		nr = route_match(routes, a[i].labels, a[i].nlabels, r, 16);
		for (j = 0; j < nr; j++) {
			uint32_t id;
			int created;
			struct tmpl_label gl[64];
			size_t ngl = 0;
			/* The group: the route, and its group_by labels' values. */
			for (k = 0; k < a[i].nlabels && ngl < 64; k++) {
				size_t m;
				int take = r[j]->group_all;
				for (m = 0; !take && r[j]->group_by &&
				    r[j]->group_by[m]; m++)
					take = strcmp(r[j]->group_by[m],
					    a[i].labels[k].name) == 0;
				if (take)
					gl[ngl++] = a[i].labels[k];
			}
			for (e = 0; e < 2; e++) {
				/*
				 * Its group, and its escalation group when it has
				 * fired long enough.
				 */
				const struct route_receiver *rv = e ?
				    r[j]->escalate : r[j]->receiver;
				/* Resolved ones too: told if they were escalated. */
				if (e && (rv == NULL || (a[i].firing &&
				    (now - a[i].starts_at < r[j]->escalate_after_ms ||
				    (ss && silences_acked(ss, a[i].labels,
				    a[i].nlabels, a[i].starts_at, now))))))
					continue;
				buf_reset(&key);
				buf_addf(&key, "%s%s:", r[j]->id, e ? "!" : "");
				alert_json_labels(&key, gl, ngl);
				id = strmap_intern(keys, key.p, key.len,
				    strmap_hash(key.p, key.len), &created);
				if (created) {
					groups = xgrow(groups, &gcap, ng + 1,
					    sizeof(*groups));
					memset(&groups[ng], 0, sizeof(groups[ng]));
					groups[ng].r = r[j];
					groups[ng].rv = rv;
					groups[ng].key = xmemdup(key.p, key.len + 1);
					groups[ng].key[key.len] = '\0';
					groups[ng].glabels = xcalloc(ngl + 1,
					    sizeof(*gl));
					memcpy(groups[ng].glabels, gl,
					    ngl * sizeof(*gl));
					groups[ng].nglabels = ngl;
					ng++;
				}
				groups[id].alerts = xgrow(groups[id].alerts,
				    &groups[id].cap, groups[id].n + 1,
				    sizeof(*groups[id].alerts));
				groups[id].alerts[groups[id].n++] = i;
			}
		}
	}
	for (i = 0; i < gs.n; i++)
		gs.v[i].seen = 0;
	c = (struct ctx){ &gs, a, now, external_url, s, stats, warn, arg };
	for (i = 0; i < ng; i++)
		notify_group(&c, &groups[i]);
	/* Groups that are gone, told of everything, are forgotten. */
	for (i = w = 0; i < gs.n; i++) {
		if (!gs.v[i].seen && gs.v[i].failures == 0) {
			gstate_release(&gs.v[i]);
			continue;
		}
		gs.v[w++] = gs.v[i];
	}
	gs.n = w;
	if (save(&gs, path, eb) == -1)
		rc = -1;
	for (i = 0; i < ng; i++) {
		free(groups[i].key);
		free(groups[i].glabels);
		free(groups[i].alerts);
	}
	free(groups);
	for (i = 0; i < gs.n; i++)
		gstate_release(&gs.v[i]);
	free(gs.v);
	free(firing);
	free(a);
	strmap_free(keys);
	buf_release(&key);
	return rc;
}
