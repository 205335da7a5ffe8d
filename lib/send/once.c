/* once.c - one sample, or a wrapped command's figures, sent now or spooled */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "base/xalloc.h"
#include "send/journal.h"
#include "send/once.h"
#include "stream/jsonl.h"
#include "stream/metric.h"

/*
 * A counter's increment as a StatsD line, its labels as DogStatsD tags:
 * the destination adds it to the total.  -1 with 'eb' for a name or a
 * label StatsD cannot carry.
 */
static int
statsd_line(struct buf *out, const struct sample *s, struct errbuf *eb)
{
	char num[NUMBER_BUFSZ];
	size_t i;

	if (strpbrk(s->name, ":|@#\n"))
		return errbuf_set(eb, "counter: '%s': StatsD takes no ':', '|', "
		    "'@' or '#' in a name", s->name);
	number_format(num, s->value);
	buf_addf(out, "%s:%s|c", s->name, num);
	for (i = 0; i < s->nlabels; i++) {
		if (strpbrk(s->labels[i].value, ",|#\n"))
			return errbuf_set(eb, "counter: label %s: StatsD tags "
			    "take no ',', '|' or '#'", s->labels[i].name);
		buf_addf(out, "%s%s:%s", i ? "," : "|#", s->labels[i].name,
		    s->labels[i].value);
	}
	buf_addch(out, '\n');
	return 0;
}

/* "NAME=VALUE" into 'l', the name a copy; -1 with 'eb' when it is not. */
static int
pair(const char *p, struct label *l, struct errbuf *eb)
{
	const char *eq = strchr(p, '=');

	if (eq == NULL || eq == p)
		return errbuf_set(eb, "'%s': not NAME=VALUE", p);
	*l = (struct label){ xstrndup(p, (size_t)(eq - p)), eq + 1,
	    (uint32_t)(eq - p), (uint32_t)strlen(eq + 1) };
	return 0;
}

int
once_line(const char *kind, const char *name, const char *value,
    char *const *pairs, size_t npairs, const char *const *labels,
    size_t nlabels, int64_t now, struct buf *out, int *statsd,
    struct errbuf *eb)
{
	struct label l[METRIC_LABELS_MAX];
	struct sample s;
	size_t nl = 0, i;
	char *end;
	int rc = -1;

	*statsd = 0;
	memset(&s, 0, sizeof(s));
	s.name = name;
	s.name_len = strlen(name);
	errno = 0;
	s.value = strtod(value, &end);
	if (errno || end == value || *end)
		return errbuf_set(eb, "%s: '%s': not a number", kind, value);
	if (strcmp(kind, "counter") == 0) {
		s.type = METRIC_COUNTER;
		if (!(s.value >= 0 && s.value < HUGE_VAL))
			return errbuf_set(eb, "counter: an increment is 0 or more");
		*statsd = 1;
	} else if (strcmp(kind, "gauge") == 0) {
		s.type = METRIC_GAUGE;
	} else if (strcmp(kind, "histogram") == 0 || strcmp(kind, "timing") == 0) {
		s.type = METRIC_HISTOGRAM;
		if (kind[0] == 't')
			s.value /= 1000.0;	/* milliseconds to seconds */
	} else {
		return errbuf_set(eb, "'%s': counter, gauge, histogram or timing",
		    kind);
	}
	s.has_ts = 1;
	s.ts = now;
	if (npairs + nlabels > METRIC_LABELS_MAX)
		return errbuf_set(eb, "more than %d labels", METRIC_LABELS_MAX);
	for (i = 0; i < npairs + nlabels; i++) {
		if (pair(i < npairs ? pairs[i] : labels[i - npairs], &l[nl],
		    eb) == -1)
			goto out;
		nl++;
	}
	s.labels = l;
	s.nlabels = nl;
	if (metric_check(&s, eb) == -1)
		goto out;
	if (*statsd) {
		if (statsd_line(out, &s, eb) == -1)
			goto out;
	} else {
		jsonl_format(out, &s);
	}
	rc = 0;
out:
	metric_labels_free_names(l, nl);
	return rc;
}

int
once_wrap_lines(const char *job, const struct proc_result *r, int64_t end,
    const char *const *labels, size_t nlabels, struct buf *out,
    struct errbuf *eb)
{
	double code = r->exited ? r->status : 128 + r->status;
	const struct { const char *name; double v; int when; } m[] = {
		{ "job_duration_seconds", (double)r->ms / 1000, 1 },
		{ "job_exit_status", code, 1 },
		{ "job_last_run_timestamp_seconds", (double)end / 1000, 1 },
		{ "job_last_success_timestamp_seconds", (double)end / 1000,
		  code == 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct label l[METRIC_LABELS_MAX + 1];
		struct sample s;
		size_t nl;
		int bad;
		if (!m[i].when)
			continue;
		memset(&s, 0, sizeof(s));
		s.name = m[i].name;
		s.name_len = strlen(m[i].name);
		s.value = m[i].v;
		s.ts = end;
		s.has_ts = 1;
		nl = metric_labels_from_pairs(labels, nlabels, l,
		    METRIC_LABELS_MAX);
		l[nl++] = (struct label){ xstrdup("job"), job, 3,
		    (uint32_t)strlen(job) };
		s.labels = l;
		s.nlabels = nl;
		if ((bad = metric_check(&s, eb)) == 0)
			jsonl_format(out, &s);
		metric_labels_free_names(l, nl);
		if (bad)
			return -1;
	}
	return 0;
}

int
once_send(const struct dest_opts *o, const char *spool, const char *lines,
    size_t n, int64_t now, int statsd, struct errbuf *eb)
{
	struct dest_opts one = *o;
	struct errbuf e2 = ERRBUF_INIT;
	struct dest *d;
	int64_t after;
	size_t left;
	int rc = 0;

	one.one_shot = 1;
	if ((d = dest_open(&one, eb)) == NULL)
		return -1;
	switch (statsd ? dest_send_statsd(d, lines, n, &after, eb) :
	    dest_send(d, lines, n, now, &after, &left, eb)) {
	case DEST_RETRY:
		if (journal_put(spool, lines, n, now, statsd, &e2) == -1) {
			errbuf_set(eb, "%s; and cannot spool it: %s", eb->msg,
			    e2.msg);
			rc = -1;
		} else {
			char why[sizeof(eb->msg)];
			snprintf(why, sizeof(why), "%s", eb->msg);
			errbuf_set(eb, "%s; spooled in %s for the next mpush", why,
			    spool);
			rc = 1;
		}
		break;
	case DEST_REJECTED:
		rc = -1;
		break;
	case DEST_DELIVERED:
		rc = eb->msg[0] ? -1 : 0;	/* a line the listener refused */
		break;
	}
	dest_close(d);
	return rc;
}
