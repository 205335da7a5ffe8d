/* exec.c - a command run every interval, its output turned into samples */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "base/buf.h"
#include "base/proc.h"
#include "collect/exec.h"
#include "stream/expo.h"
#include "stream/jsonl.h"

#define EXEC_OUTPUT_MAX (16 * 1024 * 1024)
#define EXTRA_MAX 32

static const char *const format_names[] = { "auto", "stream", "prometheus",
	"nagios", NULL };

int
exec_format_parse(const char *s, enum exec_format *f)
{
	size_t i;

	for (i = 0; format_names[i]; i++)
		if (strcmp(s, format_names[i]) == 0) {
			*f = (enum exec_format)i;
			return 0;
		}
	return -1;
}

const char *
exec_format_name(size_t i)
{
	return i < 4 ? format_names[i] : NULL;
}

/* What a run gathers for its samples. */
struct run {
	const struct exec_opts *o;
	const struct ingest_sink *sink;
	int64_t ts;
	struct label extra[EXTRA_MAX];	/* -l, then command for checks */
	size_t nextra;
	struct buf names;		/* a check's metric names */
	uint64_t samples, bad;
	int told;			/* a bad line was said */
};

/*
 * Give 's' to the sink with the run's labels over its own.  Returns 0,
 * 1 when it was not a valid sample (said), -1 when the sink failed.
 */
static int
give(struct run *r, struct sample *s, struct errbuf *eb)
{
	struct label l[METRIC_LABELS_MAX + EXTRA_MAX];
	struct errbuf e2 = ERRBUF_INIT;

	s->nlabels = metric_labels_over(s->labels, s->nlabels, r->extra,
	    r->nextra, l);
	s->labels = l;
	s->key = NULL;
	s->key_hash = 0;
	if (!s->has_ts) {
		s->ts = r->ts;
		s->has_ts = 1;
	}
	if (metric_check(s, &e2) == -1) {
		r->bad++;
		if (!r->told && r->o->warn) {
			char msg[400];
			snprintf(msg, sizeof(msg), "%s: %s", r->o->argv[0], e2.msg);
			r->o->warn(r->o->warn_arg, msg);
		}
		r->told = 1;
		return 1;
	}
	if (r->sink->add(r->sink->ctx, s, eb) == -1)
		return -1;
	r->samples++;
	return 0;
}

static void
bad_line(struct run *r, size_t line, const char *why)
{
	r->bad++;
	if (!r->told && r->o->warn) {
		char msg[400];
		snprintf(msg, sizeof(msg), "%s: output line %zu: %s",
		    r->o->argv[0], line, why);
		r->o->warn(r->o->warn_arg, msg);
	}
	r->told = 1;
}

/* Stream lines, or the text format, one line at a time. */
static int
lines(struct run *r, const struct buf *out, enum exec_format f,
    struct errbuf *eb)
{
	struct jsonl_parser *jp = f == EXEC_STREAM ? jsonl_parser_new(0) : NULL;
	struct expo_parser *xp = f == EXEC_STREAM ? NULL :
	    expo_parser_new(EXPO_PROMETHEUS);
	const char *p = out->p ? out->p : "", *end = p + out->len;
	struct errbuf e2 = ERRBUF_INIT;
	size_t line = 0;
	int rc = 0;

	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct sample s;
		int k;
		line++;
		if (jp) {
			size_t i;
			for (i = 0; i < len && isspace((unsigned char)p[i]); i++)
				;
			k = i == len ? 0 : jsonl_parse(jp, p, len, &s, &e2) == 0;
			if (i < len && k == 0)
				k = -1;
		} else {
			k = expo_parse(xp, p, len, &s, &e2);
		}
		p = nl ? nl + 1 : end;
		if (k == -1)
			bad_line(r, line, e2.msg);
		else if (k == 1 && give(r, &s, eb) == -1)
			rc = -1;
	}
	jsonl_parser_free(jp);
	expo_parser_free(xp);
	return rc;
}

/* The metric name of a check's label: [a-zA-Z0-9_:], not from a digit. */
static void
metric_name(struct buf *b, const char *label, size_t n, const char *suffix)
{
	size_t i, at = b->len;

	if (n == 0 || isdigit((unsigned char)label[0]))
		buf_addch(b, '_');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)label[i];
		buf_addch(b, isalnum(c) || c == '_' || c == ':' ? (char)c : '_');
	}
	if (*suffix && (b->len - at < strlen(suffix) ||
	    strcmp(b->p + b->len - strlen(suffix), suffix) != 0))
		buf_adds(b, suffix);
}

/* A unit of measure: its factor to the base unit and the name's suffix. */
static int
unit_of(const char *u, size_t n, double *factor, const char **suffix,
    int *counter)
{
	static const struct { const char *u; double f; const char *sfx; }
	    units[] = {
		{ "", 1, "" }, { "s", 1, "_seconds" }, { "ms", 1e-3, "_seconds" },
		{ "us", 1e-6, "_seconds" }, { "%", 0.01, "_ratio" },
		{ "B", 1, "_bytes" }, { "KB", 1024.0, "_bytes" },
		{ "MB", 1048576.0, "_bytes" }, { "GB", 1073741824.0, "_bytes" },
		{ "TB", 1099511627776.0, "_bytes" }, { "c", 1, "_total" },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].u) == n && memcmp(units[i].u, u, n) == 0) {
			*factor = units[i].f;
			*suffix = units[i].sfx;
			*counter = u[0] == 'c';
			return 0;
		}
	return -1;
}

/* A number of the performance data, 'n' bytes; 0, or -1. */
static int
perf_number(const char *p, size_t n, double *v)
{
	return number_parse_text(p, n, v) != -1 && isfinite(*v) ? 0 : -1;
}

/* One item: 'label'=value[UOM];warn;crit;min;max. */
static int
perf_item(struct run *r, const char *p, size_t n, size_t line,
    struct errbuf *eb)
{
	static const char *const extra[] = { NULL, "_warning", "_critical",
		"_min", "_max" };
	const char *end = p + n, *eq, *f;
	struct buf label = BUF_INIT;
	double factor, v;
	const char *suffix;
	int counter, k, rc = 0;
	size_t field;

	/* The label, quoted ('' a quote) or not. */
	if (*p == '\'') {
		for (p++; p < end; p++) {
			if (*p == '\'' && p + 1 < end && p[1] == '\'')
				p++;
			else if (*p == '\'')
				break;
			buf_addch(&label, *p);
		}
		if (p == end || p + 1 == end || p[1] != '=') {
			bad_line(r, line, "a quoted label without '='");
			buf_release(&label);
			return 0;
		}
		eq = p + 1;
	} else {
		if ((eq = memchr(p, '=', n)) == NULL) {
			bad_line(r, line, "performance data without '='");
			return 0;
		}
		buf_add(&label, p, (size_t)(eq - p));
	}
	/* The value and its unit. */
	f = eq + 1;
	{
		const char *semi = memchr(f, ';', (size_t)(end - f));
		const char *ve = semi ? semi : end, *u = f;
		while (u < ve && (isdigit((unsigned char)*u) || *u == '.' ||
		    *u == '-' || *u == '+' || *u == 'e' || *u == 'E'))
			u++;
		if (ve - f == 1 && *f == 'U') {
			buf_release(&label);
			return 0;	/* undetermined: no sample */
		}
		if (perf_number(f, (size_t)(u - f), &v) == -1 ||
		    unit_of(u, (size_t)(ve - u), &factor, &suffix, &counter) == -1) {
			bad_line(r, line, "a value or unit of measure that is "
			    "not one");
			buf_release(&label);
			return 0;
		}
		f = semi ? semi + 1 : end;
	}
	/* The value, then warn, crit, min and max when they are numbers. */
	for (field = 0; field < 5 && rc == 0; field++) {
		struct sample s;
		if (field > 0) {
			const char *semi;
			if (f >= end)
				break;
			semi = memchr(f, ';', (size_t)(end - f));
			k = perf_number(f, (size_t)((semi ? semi : end) - f), &v);
			f = semi ? semi + 1 : end;
			if (k == -1)
				continue;	/* empty, or a range */
		}
		memset(&s, 0, sizeof(s));
		buf_reset(&r->names);
		metric_name(&r->names, label.p ? label.p : "", label.len,
		    field == 0 ? suffix : "");
		if (field > 0) {
			/* NAME_warning after the unit: load1_seconds_warning. */
			struct buf base = BUF_INIT;
			metric_name(&base, label.p ? label.p : "", label.len, suffix);
			buf_reset(&r->names);
			buf_add(&r->names, base.p, base.len);
			buf_adds(&r->names, extra[field]);
			buf_release(&base);
		}
		s.name = r->names.p;
		s.name_len = r->names.len;
		s.type = field == 0 && counter ? METRIC_COUNTER : METRIC_GAUGE;
		s.value = v * factor;
		if (give(r, &s, eb) == -1)
			rc = -1;
	}
	buf_release(&label);
	return rc;
}

/* The performance data in 'p' ('n' bytes): items separated by blanks. */
static int
perfdata(struct run *r, const char *p, size_t n, size_t line,
    struct errbuf *eb)
{
	const char *end = p + n;

	while (p < end) {
		const char *s;
		int quoted = 0;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			break;
		/* An item ends at a blank outside quotes. */
		for (s = p; p < end && (quoted || !isspace((unsigned char)*p)); p++)
			if (*p == '\'')
				quoted = !quoted;
		if (perf_item(r, s, (size_t)(p - s), line, eb) == -1)
			return -1;
	}
	return 0;
}

/* A check's output: perfdata after '|' on the first line and after. */
static int
nagios(struct run *r, const struct buf *out, struct errbuf *eb)
{
	const char *p = out->p ? out->p : "", *end = p + out->len;
	size_t line = 0;
	int in_perf = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *bar;
		line++;
		if (in_perf) {
			if (perfdata(r, p, (size_t)(le - p), line, eb) == -1)
				return -1;
		} else if ((bar = memchr(p, '|', (size_t)(le - p))) != NULL) {
			if (perfdata(r, bar + 1, (size_t)(le - bar - 1), line,
			    eb) == -1)
				return -1;
			/* After the long text's '|', every line is perfdata. */
			in_perf = line > 1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

/* What the first line says the output is. */
static enum exec_format
detect(const struct buf *out)
{
	const char *p = out->p ? out->p : "", *end = p + out->len, *le, *q;

	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end)
		return EXEC_PROMETHEUS;	/* nothing: no sample either way */
	if (*p == '{')
		return EXEC_STREAM;
	le = memchr(p, '\n', (size_t)(end - p));
	le = le ? le : end;
	if (memchr(p, '|', (size_t)(le - p)))
		return EXEC_NAGIOS;
	if (*p == '#')
		return EXEC_PROMETHEUS;
	/* name, optional labels, blanks, then a number-like word. */
	for (q = p; q < le && (isalnum((unsigned char)*q) || *q == '_' ||
	    *q == ':'); q++)
		;
	if (q > p && q < le && *q == '{')
		return EXEC_PROMETHEUS;
	if (q > p && q < le && (*q == ' ' || *q == '\t')) {
		while (q < le && (*q == ' ' || *q == '\t'))
			q++;
		if (q < le && (isdigit((unsigned char)*q) || *q == '-' ||
		    *q == '+' || *q == 'N' || *q == '.'))
			return EXEC_PROMETHEUS;
	}
	return EXEC_NAGIOS;
}

int
exec_pass(const struct exec_opts *o, int64_t ts,
    const struct ingest_sink *sink, struct errbuf *eb)
{
	struct run r;
	struct proc_result pr;
	struct buf out = BUF_INIT;
	const char *base = strrchr(o->argv[0], '/');
	enum exec_format f;
	size_t i, nlabels;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.sink = sink;
	r.ts = ts;
	base = base ? base + 1 : o->argv[0];
	if (proc_run(o->argv, NULL, NULL, 0, &out, EXEC_OUTPUT_MAX,
	    o->timeout_ms, &pr, eb) == -1) {
		buf_release(&out);
		return -1;
	}
	/* The -l labels, one place kept for 'command'. */
	nlabels = metric_labels_from_pairs(o->labels, o->nlabels, r.extra,
	    EXTRA_MAX - 1);
	r.nextra = nlabels;
	if (pr.output_cut)
		bad_line(&r, 0, "output past 16 MiB, cut");
	f = o->format == EXEC_AUTO ? detect(&out) : o->format;
	if (f == EXEC_NAGIOS) {
		r.extra[r.nextra++] = (struct label){ "command", base, 7,
			(uint32_t)strlen(base) };
		rc = nagios(&r, &out, eb);
	} else {
		rc = lines(&r, &out, f, eb);
	}
	/* The run's own, labelled command. */
	r.nextra = nlabels;
	r.extra[r.nextra++] = (struct label){ "command", base, 7,
		(uint32_t)strlen(base) };
	{
		const struct { const char *name; double v; } m[] = {
			{ "mtk_exec_exit_status", pr.exited ? pr.status :
			  128 + pr.status },
			{ "mtk_exec_duration_seconds", (double)pr.ms / 1000 },
			{ "mtk_exec_timed_out", pr.timed_out },
			{ "mtk_exec_samples", (double)r.samples },
			{ "mtk_exec_bad_lines", (double)r.bad },
		};
		for (i = 0; i < sizeof(m) / sizeof(m[0]) && rc == 0; i++) {
			struct sample s;
			memset(&s, 0, sizeof(s));
			s.name = m[i].name;
			s.name_len = strlen(m[i].name);
			s.value = m[i].v;
			if (give(&r, &s, eb) == -1)
				rc = -1;
		}
	}
	metric_labels_free_names(r.extra, nlabels);
	if (rc == 0 && sink->commit(sink->ctx, eb) == -1)
		rc = -1;
	if (pr.timed_out && o->warn) {
		char msg[300];
		snprintf(msg, sizeof(msg), "%s: timed out after %lld ms, killed",
		    o->argv[0], (long long)pr.ms);
		o->warn(o->warn_arg, msg);
	}
	buf_release(&r.names);
	buf_release(&out);
	return rc;
}
