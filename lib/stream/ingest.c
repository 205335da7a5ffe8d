/* ingest.c - the loop every writer shares: streams in, a sink out */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "stream/csv.h"
#include "stream/expo.h"
#include "stream/graphite.h"
#include "stream/influx.h"
#include "stream/ingest.h"
#include "stream/jsonl.h"

void
ingest_init(struct ingest *in, const struct ingest_opts *o)
{
	memset(in, 0, sizeof(*in));
	in->o = *o;
}

void
ingest_release(struct ingest *in)
{
	size_t i;

	for (i = 0; i < in->nreasons; i++)
		free(in->reasons[i].text);
	free(in->reasons);
	in->reasons = NULL;
	in->nreasons = in->cap = 0;
}

static void
say(const struct ingest *in, const char *msg)
{
	if (in->o.warn)
		in->o.warn(in->o.warn_arg, msg);
}

/*
 * Report 'reason' at 'name':'line', unless INGEST_REPEATS lines gave it
 * already (then it is only counted, for the summary).
 */
static void
report(struct ingest *in, const char *name, uint64_t line, const char *reason)
{
	char msg[sizeof(((struct errbuf *)0)->msg) + 64];
	size_t i;

	for (i = 0; i < in->nreasons; i++)
		if (strcmp(in->reasons[i].text, reason) == 0)
			break;
	if (i == in->nreasons) {
		in->reasons = xgrow(in->reasons, &in->cap, in->nreasons + 1,
		    sizeof(*in->reasons));
		in->reasons[i].text = xstrdup(reason);
		in->reasons[i].count = 0;
		in->nreasons++;
	}
	if (++in->reasons[i].count > INGEST_REPEATS || in->o.quiet)
		return;
	snprintf(msg, sizeof(msg), "%s:%" PRIu64 ": %s", name, line, reason);
	say(in, msg);
}

/*
 * Wait until the reader has a record or its input ends, committing the
 * sink when input goes idle and again when the sink is due.  Returns 0,
 * or 1 when asked to stop, or -1 with 'eb'.
 */
static int
wait_input(struct ingest *in, struct jsonl_reader *r,
    const struct ingest_sink *sink, struct errbuf *eb)
{
	struct pollfd p;

	if (jsonl_reader_ready(r))
		return 0;
	if (sink->commit(sink->ctx, eb) == -1)
		return -1;
	p = (struct pollfd){ jsonl_reader_fd(r), POLLIN, 0 };
	while (in->o.stop == NULL || !*in->o.stop) {
		int64_t due = sink->due ? sink->due(sink->ctx) : -1;
		int n, timeout = due < 0 ? -1 : due > 60000 ? 60000 : (int)due;
		if ((n = poll(&p, 1, timeout)) > 0)
			return 0;
		if (n == 0 && sink->commit(sink->ctx, eb) == -1)
			return -1;
		if (n == -1 && errno != EINTR)
			return errbuf_set(eb, "poll: %s", strerror(errno));
	}
	return 1;
}

static int
expo_line(void *ctx, const char *line, size_t len, struct sample *s,
    struct errbuf *eb)
{
	return expo_parse(ctx, line, len, s, eb);
}

static int
expo_done(void *ctx, struct errbuf *eb)
{
	return expo_end(ctx, eb);
}

static int
influx_line(void *ctx, const char *line, size_t len, struct sample *s,
    struct errbuf *eb)
{
	return influx_parse(ctx, line, len, s, eb);
}

static int
influx_more(void *ctx, struct sample *s)
{
	return influx_next(ctx, s);
}

static int
graphite_line(void *ctx, const char *line, size_t len, struct sample *s,
    struct errbuf *eb)
{
	return graphite_parse(ctx, line, len, s, eb);
}

static int
csv_line(void *ctx, const char *line, size_t len, struct sample *s,
    struct errbuf *eb)
{
	return csv_parse(ctx, line, len, s, eb);
}

static int
csv_more(void *ctx, struct sample *s)
{
	return csv_next(ctx, s);
}

int
ingest_file(struct ingest *in, const char *path,
    const struct ingest_sink *sink, struct errbuf *eb)
{
	struct errbuf e2 = ERRBUF_INIT;
	struct jsonl_reader *r;
	struct expo_parser *xp = NULL;
	struct influx_parser *ip = NULL;
	struct graphite_parser *gp = NULL;
	struct csv_parser *cp = NULL;
	struct sample s;
	int rc = 0, k;

	if (in->stopped)
		return 0;
	if ((r = jsonl_reader_open(path, 0, &e2)) == NULL) {
		say(in, e2.msg);
		in->failed_inputs++;
		in->stopped = in->o.strict;
		return 0;
	}
	if (in->o.format == INGEST_GRAPHITE) {
		struct jsonl_format f = { graphite_line, NULL, NULL, NULL, 1 };
		gp = graphite_parser_new();
		f.ctx = gp;
		jsonl_reader_set_format(r, &f);
	} else if (in->o.format == INGEST_CSV) {
		struct jsonl_format f = { csv_line, csv_more, NULL, NULL, 1 };
		cp = csv_parser_new();
		f.ctx = cp;
		jsonl_reader_set_format(r, &f);
	} else if (in->o.format == INGEST_INFLUX) {
		struct jsonl_format f = { influx_line, influx_more, NULL, NULL, 1 };
		ip = influx_parser_new();
		f.ctx = ip;
		jsonl_reader_set_format(r, &f);
	} else if (in->o.format != INGEST_JSONL) {
		struct jsonl_format f = { expo_line, NULL, expo_done, NULL, 1 };
		xp = expo_parser_new(in->o.format == INGEST_OPENMETRICS ?
		    EXPO_OPENMETRICS : EXPO_PROMETHEUS);
		f.ctx = xp;
		jsonl_reader_set_format(r, &f);
	}
	for (;;) {
		if ((k = wait_input(in, r, sink, eb)) != 0) {
			if (k == 1)
				in->stopped = 1;
			rc = k == -1 ? -1 : 0;
			break;
		}
		if ((k = jsonl_next(r, &s, &e2)) == 0)
			break;
		in->lines++;
		if (k == -1 && jsonl_reader_failed(r)) {
			/* Not a bad record: the input itself failed. */
			*eb = e2;
			rc = -1;
			break;
		}
		if (k == -1) {
			/* "name:line: reason": the reason is what repeats. */
			const char *reason = e2.msg;
			char prefix[64];
			size_t pl = (size_t)snprintf(prefix, sizeof(prefix),
			    ":%" PRIu64 ": ", jsonl_reader_lineno(r));
			const char *at = strstr(e2.msg, prefix);
			if (at)
				reason = at + pl;
			in->bad++;
			if (sink->bad)
				sink->bad(sink->ctx);
			report(in, jsonl_reader_name(r), jsonl_reader_lineno(r),
			    reason);
		} else if ((k = sink->add(sink->ctx, &s, &e2)) == 0) {
			in->taken++;
			continue;
		} else if (k == -1) {
			*eb = e2;
			rc = -1;
			break;
		} else {
			in->refused++;
			report(in, jsonl_reader_name(r), jsonl_reader_lineno(r),
			    e2.msg);
		}
		if (in->o.strict) {
			in->stopped = 1;
			break;
		}
	}
	jsonl_reader_free(r);
	expo_parser_free(xp);
	influx_parser_free(ip);
	graphite_parser_free(gp);
	csv_parser_free(cp);
	return rc;
}

void
ingest_summary(const struct ingest *in)
{
	char msg[sizeof(((struct errbuf *)0)->msg) + 64];
	size_t i;

	/* Quiet: only the totals. */
	for (i = 0; i < in->nreasons && !in->o.quiet; i++) {
		uint64_t unsaid = in->reasons[i].count > INGEST_REPEATS ?
		    in->reasons[i].count - INGEST_REPEATS : 0;
		if (unsaid == 0)
			continue;
		snprintf(msg, sizeof(msg), "%" PRIu64 " more line%s not shown: "
		    "%s", unsaid, unsaid == 1 ? "" : "s", in->reasons[i].text);
		say(in, msg);
	}
	if (in->bad + in->refused > 0) {
		snprintf(msg, sizeof(msg), "%" PRIu64 " bad line%s, %" PRIu64
		    " sample%s rejected", in->bad, in->bad == 1 ? "" : "s",
		    in->refused, in->refused == 1 ? "" : "s");
		say(in, msg);
	}
}

int
ingest_troubled(const struct ingest *in)
{
	return in->bad + in->refused + in->failed_inputs > 0;
}
