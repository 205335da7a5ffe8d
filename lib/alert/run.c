/* run.c - malert's run: the rules evaluated, the alerts told, its own metrics */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert/alertmanager.h"
#include "alert/notify.h"
#include "alert/run.h"
#include "alert/silence.h"
#include "base/buf.h"
#include "base/host.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "query/query.h"
#include "store/store.h"
#include "stream/jsonl.h"

struct alert_runner {
	const struct rule_set *rs;
	const struct alert_run_opts *o;
	struct store *wst;		/* the store written, when it is */
	struct store_writer *w;
	struct jsonl_writer *jw;	/* record_out */
	int no_writer;			/* 1: not ours to write; 2: failed */
};

/* A metric of the run: a name, at most one label, a value. */
struct self_metric {
	const char *name, *lname, *lvalue;
	double v;
};

static void
say(const struct alert_runner *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(const struct alert_runner *r, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (r->o->warn)
		r->o->warn(r->o->warn_arg, msg);
}

struct alert_runner *
alert_runner_new(const struct rule_set *rs, const struct alert_run_opts *o)
{
	struct alert_runner *r = xcalloc(1, sizeof(*r));

	r->rs = rs;
	r->o = o;
	if (o->record_out)
		r->jw = jsonl_writer_new(o->record_out);
	return r;
}

/*
 * The store writer, opened at the first run that needs it.  Self-metrics
 * alone do not open it in a store this user may not write (a Nagios user
 * reading an operator's store): they are left out, not an error.
 */
static struct store_writer *
writer(struct alert_runner *r, int for_record)
{
	struct store_writer_opts wo = STORE_WRITER_OPTS_INIT;
	struct errbuf eb = ERRBUF_INIT;

	if (r->w || r->no_writer || r->o->store_dir == NULL)
		return r->w;
	if (!for_record && access(r->o->store_dir, W_OK) == -1 &&
	    (errno == EACCES || errno == EROFS)) {
		r->no_writer = 1;
		return NULL;
	}
	r->no_writer = 2;	/* until it opens */
	wo.self_metrics_ms = 0;
	if ((r->wst = store_open(r->o->store_dir, 0, &eb)) == NULL ||
	    (r->w = store_writer_open(r->wst, &wo, &eb)) == NULL) {
		say(r, "%s", eb.msg);
		store_close(r->wst);
		r->wst = NULL;
		return NULL;
	}
	r->no_writer = 0;
	return r->w;
}

/* What a run measured, for its metrics. */
struct run_figures {
	const struct alert_stats *stats;
	size_t alerting, recording, pending, firing;
	double seconds;
	int64_t now;
};

/*
 * The run's own metrics into the store, stamped with its time: gauges of
 * this run, and the notices' counters kept in the state across runs.
 */
static int
self_metrics(struct alert_runner *r, const struct alert_state *s,
    const struct run_figures *f)
{
	struct errbuf eb = ERRBUF_INIT;
	struct store_writer *w = writer(r, 0);
	const struct alert_tally *t;
	char host[HOST_NAME_BUFSZ];
	struct label l[3];
	size_t nt, i;
	const struct self_metric m[] = {
		{ "mtk_malert_rules", "type", "alerting", (double)f->alerting },
		{ "mtk_malert_rules", "type", "recording", (double)f->recording },
		{ "mtk_malert_rule_evaluation_failures", NULL, NULL,
		  (double)f->stats->failed },
		{ "mtk_malert_alerts", "state", "pending", (double)f->pending },
		{ "mtk_malert_alerts", "state", "firing", (double)f->firing },
		{ "mtk_malert_events", "status", "firing",
		  (double)f->stats->firing },
		{ "mtk_malert_events", "status", "resolved",
		  (double)f->stats->resolved },
		{ "mtk_malert_samples_recorded", NULL, NULL,
		  (double)f->stats->recorded },
		{ "mtk_malert_evaluation_duration_seconds", NULL, NULL,
		  f->seconds },
		{ "mtk_malert_last_run_timestamp_seconds", NULL, NULL,
		  (double)f->now / 1000 },
	};
	const size_t n = sizeof(m) / sizeof(m[0]);
	int rc = 0;

	if (w == NULL)
		return r->no_writer == 1 ? 0 : -1;
	host_name(host, sizeof(host));
	t = alert_state_tallies(s, &nt);
	for (i = 0; i < n + 2 * nt && rc == 0; i++) {
		struct sample smp = { .type = METRIC_GAUGE, .has_ts = 1,
			.ts = f->now, .labels = l, .nlabels = 1 };
		const char *ln, *lv;
		if (i < n) {
			smp.name = m[i].name;
			smp.value = m[i].v;
			ln = m[i].lname;
			lv = m[i].lvalue;
		} else {
			const struct alert_tally *x = &t[(i - n) / 2];
			int failed = (i - n) % 2;
			smp.name = failed ? "mtk_malert_notifications_failed_total" :
			    "mtk_malert_notifications_total";
			smp.type = METRIC_COUNTER;
			smp.value = (double)(failed ? x->failed : x->sent);
			ln = "receiver";
			lv = x->receiver;
		}
		smp.name_len = strlen(smp.name);
		l[0] = (struct label){ "host", host, 4, (uint32_t)strlen(host) };
		if (ln)
			l[smp.nlabels++] = (struct label){ ln, lv,
				(uint32_t)strlen(ln), (uint32_t)strlen(lv) };
		/* A tenant's runs are told apart, and seen by the tenant. */
		if (r->o->tenant)
			l[smp.nlabels++] = (struct label){ "tenant",
				r->o->tenant, 6, (uint32_t)strlen(r->o->tenant) };
		if (metric_check(&smp, &eb) == -1 ||
		    store_writer_add(w, &smp, &eb) == -1)
			rc = -1;
	}
	if (rc == 0 && store_writer_commit(w, &eb) == -1)
		rc = -1;
	if (rc == -1)
		say(r, "%s", eb.msg);
	return rc;
}

static void
warn_notify(void *arg, const char *msg)
{
	say(arg, "%s", msg);
}

int
alert_runner_run(struct alert_runner *r, int64_t now, int now_given)
{
	const struct alert_run_opts *o = r->o;
	struct errbuf eb = ERRBUF_INIT;
	struct query_input in;
	struct alert_state *s;
	struct alert_opts ao;
	struct alert_stats stats = { 0 };
	struct ingest_sink sink;
	struct run_figures fig;
	int64_t t0 = ts_now();
	uint64_t bad = 0;
	size_t i, k;
	int rc = 0;

	struct query_input_opts qo = { o->file ? NULL : o->store_dir, o->file,
		o->tenant, o->strict, o->warn, o->warn_arg };

	if ((s = alert_state_open(o->state_path, &eb)) == NULL) {
		say(r, "%s", eb.msg);
		return 1;
	}
	if (query_input_open(&in, &qo, &bad, &eb) == -1) {
		say(r, "%s", eb.msg);
		alert_state_close(s);
		return 1;
	}
	memset(&ao, 0, sizeof(ao));
	ao.now = in.newest != INT64_MIN && !now_given ? in.newest : now;
	ao.interval_ms = o->interval_ms;
	ao.external = o->external;
	ao.nexternal = o->nexternal;
	ao.external_url = o->external_url;
	ao.limits = o->limits;
	ao.tenant = o->tenant;
	if (o->record) {
		struct store_writer *w = writer(r, 1);
		if (w == NULL) {
			query_input_close(&in);
			alert_state_close(s);
			return 1;
		}
		store_writer_sink(w, &sink);
		ao.record = &sink;
	} else if (r->jw) {
		jsonl_writer_sink(r->jw, &sink);
		ao.record = &sink;
	}
	if (alert_eval(r->rs, s, in.st, query_input_stream(&in), &ao,
	    o->events, &stats, o->warn, o->warn_arg, &eb) == -1) {
		say(r, "%s", eb.msg);
		rc = 1;
	}
	if (o->routes) {
		struct notify_stats ns = { 0, 0 };
		struct silences ss;
		struct buf npath = BUF_INIT, spath = BUF_INIT;
		buf_addf(&npath, "%s.notices", o->state_path);
		buf_addf(&spath, "%s.silences", o->state_path);
		if (silences_load(&ss, spath.p, &eb) == -1 ||
		    notify_run(o->routes, s, &ss, ao.now, o->external_url,
		    npath.p, &ns, warn_notify, r, &eb) == -1) {
			say(r, "%s", eb.msg);
			rc = 1;
		}
		if (ns.failed)
			rc = 1;
		silences_free(&ss);
		buf_release(&npath);
		buf_release(&spath);
	}
	/*
	 * Every firing alert each run, valid four intervals, as Prometheus
	 * sends them: one that could not be sent goes again next run.
	 */
	if (o->nalertmanagers) {
		struct buf body = BUF_INIT;
		alert_state_alertmanager(s, ao.now, 4 * ao.interval_ms,
		    o->external_url, &body);
		for (i = 0; i < o->nalertmanagers; i++) {
			int ok = alertmanager_post(o->alertmanagers[i], body.p,
			    body.len, 10000, &eb) == 0;
			alert_state_tally(s, "alertmanager", ok);
			if (!ok) {
				say(r, "%s", eb.msg);
				rc = 1;
			}
		}
		buf_release(&body);
	}
	if (alert_state_save(s, &eb) == -1) {
		say(r, "%s", eb.msg);
		rc = 1;
	}
	if (stats.failed || bad)
		rc = 1;
	for (i = 0; in.st && i < store_damage_count(in.st); i++) {
		say(r, "%s; left out of the answer", store_damage(in.st, i));
		rc = 1;
	}
	if (o->self_metrics && o->file == NULL) {
		memset(&fig, 0, sizeof(fig));
		fig.stats = &stats;
		for (i = 0; i < r->rs->ngroups; i++)
			for (k = 0; k < r->rs->groups[i].nrules; k++) {
				if (r->rs->groups[i].rules[k].kind == RULE_ALERT)
					fig.alerting++;
				else
					fig.recording++;
			}
		alert_state_counts(s, &fig.pending, &fig.firing);
		fig.seconds = (double)(ts_now() - t0) / 1000;
		fig.now = ao.now;
		if (self_metrics(r, s, &fig) == -1)
			rc = 1;
	}
	query_input_close(&in);
	alert_state_close(s);
	return rc;
}

int
alert_runner_free(struct alert_runner *r)
{
	struct errbuf eb = ERRBUF_INIT;
	int rc = 0;

	if (r == NULL)
		return 0;
	if (r->w && store_writer_close(r->w, &eb) == -1) {
		say(r, "%s", eb.msg);
		rc = 1;
	}
	store_close(r->wst);
	if (r->jw) {
		if (jsonl_writer_flush(r->jw, &eb) == -1) {
			say(r, "%s", eb.msg);
			rc = 1;
		}
		jsonl_writer_free(r->jw);
	}
	free(r);
	return rc;
}
