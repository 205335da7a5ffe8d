/* sender.c - a stream sent in batches, journaled, retried until delivered */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "send/sender.h"
#include "stream/jsonl.h"

#define NAME_LEN 64

struct sender {
	struct sender_opts o;
	struct dest *d;
	struct journal *j;
	struct buf line, batch;
	int64_t wait_until;		/* no attempt before; 0: none waiting */
	int64_t backoff;		/* the last wait, ms */
	int64_t told;			/* the last Retry-After, ms; 0: none */
	uint64_t rng;
	struct sender_stats st;
};

struct sender *
sender_new(const struct sender_opts *o, struct dest *d, struct journal *j)
{
	struct sender *s = xcalloc(1, sizeof(*s));

	s->o = *o;
	s->d = d;
	s->j = j;
	s->rng = (uint64_t)ts_now() ^ ((uint64_t)getpid() << 32) ^
	    0x9e3779b97f4a7c15ULL;
	return s;
}

void
sender_free(struct sender *s)
{
	if (s == NULL)
		return;
	buf_release(&s->line);
	buf_release(&s->batch);
	free(s);
}

const struct sender_stats *
sender_stats(const struct sender *s)
{
	return &s->st;
}

static void
say(struct sender *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(struct sender *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (s->o.warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->o.warn(s->o.warn_arg, msg);
}

/* Uniform in [0, 1) (xorshift64*). */
static double
uniform(struct sender *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (double)((s->rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static uint64_t
count_lines(const struct buf *b)
{
	const char *p = b->p, *e = b->p + b->len;
	uint64_t n = 0;

	while (p && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/*
 * Send ready batches, oldest first, until none is left or one is to be
 * tried again.  With 'once', a batch to be tried again ends it without
 * a wait.  Returns 0, or -1 with 'eb' when the journal failed.
 */
static int
send_ready(struct sender *s, int once, struct errbuf *eb)
{
	char name[NAME_LEN];
	int64_t now = ts_now();
	int got;

	if (!once && s->wait_until && now < s->wait_until)
		return 0;
	while ((got = journal_oldest(s->j, &s->batch, name, eb)) == 1) {
		struct errbuf why = ERRBUF_INIT;
		int64_t after = 0;
		size_t left = 0;
		uint64_t n = count_lines(&s->batch);
		size_t nl = strlen(name);
		enum dest_result r = nl > 7 && strcmp(name + nl - 7, ".statsd")
		    == 0 ? dest_send_statsd(s->d, s->batch.p ? s->batch.p : "",
		    s->batch.len, &after, &why) : dest_send(s->d, s->batch.p ?
		    s->batch.p : "", s->batch.len, ts_now(), &after, &left, &why);
		s->st.left_out += left;
		if (r == DEST_RETRY) {
			int64_t wait;
			s->st.retries++;
			s->told = after;
			s->backoff = s->backoff ? s->backoff * 2 : s->o.retry_min_ms;
			if (s->backoff > s->o.retry_max_ms)
				s->backoff = s->o.retry_max_ms;
			wait = after > 0 ? after :
			    (int64_t)((0.5 + 0.5 * uniform(s)) * (double)s->backoff);
			s->wait_until = ts_now() + wait;
			say(s, "%s; %zu batch%s kept, trying again in %.1f s",
			    why.msg, journal_ready(s->j),
			    journal_ready(s->j) == 1 ? "" : "es",
			    (double)wait / 1000.0);
			return 0;
		}
		if (r == DEST_REJECTED) {
			s->st.rejected_batches++;
			s->st.rejected_samples += n;
			say(s, "%s; a batch of %llu samples given up", why.msg,
			    (unsigned long long)n);
		} else {
			if (why.msg[0])
				say(s, "%s", why.msg);
			s->st.delivered += n;
			s->st.batches++;
			if (s->wait_until)
				say(s, "%s takes batches again", dest_name(s->d));
		}
		s->wait_until = 0;
		s->backoff = 0;
		s->told = 0;
		if (journal_done(s->j, name, eb) == -1)
			return -1;
	}
	return got;
}

static int
on_add(void *ctx, const struct sample *smp, struct errbuf *eb)
{
	struct sender *s = ctx;
	int64_t now = ts_now();

	buf_reset(&s->line);
	if (s->o.nlabels) {
		struct label l[METRIC_LABELS_MAX * 2];
		struct sample t = *smp;
		t.nlabels = metric_labels_over(smp->labels, smp->nlabels,
		    s->o.labels, s->o.nlabels, l);
		t.labels = l;
		t.key = NULL;
		t.key_hash = 0;
		if (metric_check(&t, eb) == -1)
			return 1;
		jsonl_format(&s->line, &t);
	} else {
		jsonl_format(&s->line, smp);
	}
	/* The line without its newline: the journal adds one. */
	if (s->line.len && s->line.p[s->line.len - 1] == '\n')
		s->line.len--;
	if (journal_add(s->j, s->line.p, s->line.len, now, eb) == -1)
		return -1;
	s->st.samples++;
	if (journal_open_lines(s->j) >= s->o.batch) {
		if (journal_cut(s->j, eb) == -1 || send_ready(s, 0, eb) == -1)
			return -1;
	}
	return 0;
}

static int
on_commit(void *ctx, struct errbuf *eb)
{
	struct sender *s = ctx;
	int64_t since = journal_open_since(s->j);

	if (journal_flush(s->j, eb) == -1)
		return -1;
	if (since && ts_now() - since >= s->o.linger_ms &&
	    journal_cut(s->j, eb) == -1)
		return -1;
	return send_ready(s, 0, eb);
}

static int64_t
on_due(void *ctx)
{
	struct sender *s = ctx;
	int64_t now = ts_now(), due = INT64_MAX;
	int64_t since = journal_open_since(s->j);

	if (since)
		due = since + s->o.linger_ms - now;
	if (journal_ready(s->j) && s->wait_until && s->wait_until - now < due)
		due = s->wait_until - now;
	if (due == INT64_MAX)
		return -1;		/* nothing waits for a time */
	return due < 0 ? 0 : due;
}

void
sender_sink(struct sender *s, struct ingest_sink *out)
{
	*out = (struct ingest_sink){ on_add, on_commit, on_due, NULL, s };
}

long
sender_finish(struct sender *s, int64_t drain_ms, struct errbuf *eb)
{
	int64_t deadline = ts_now() + drain_ms;

	if (journal_cut(s->j, eb) == -1 || send_ready(s, 1, eb) == -1)
		return -1;
	/* A destination that said when to come back is waited for. */
	while (journal_ready(s->j) && s->told > 0 &&
	    s->wait_until <= deadline) {
		int64_t w = s->wait_until - ts_now();
		if (w > 0) {
			struct timespec ts = { (time_t)(w / 1000),
				(long)(w % 1000) * 1000000L };
			nanosleep(&ts, NULL);
		}
		if (send_ready(s, 1, eb) == -1)
			return -1;
	}
	return (long)journal_ready(s->j);
}
