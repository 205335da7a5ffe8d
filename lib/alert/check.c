/* check.c - Monitoring Plugins checks: thresholds, states, the plugin's line */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alert/check.h"
#include "base/number.h"

static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
static const char *const words[] = { "ok", "warning", "critical", "unknown" };

const char *
check_state_name(enum check_state s)
{
	return (unsigned)s < 4 ? names[s] : "UNKNOWN";
}

const char *
check_state_word(size_t i)
{
	return i < 4 ? words[i] : NULL;
}

int
check_state_parse(const char *s, enum check_state *out)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcasecmp(s, words[i]) == 0) {
			*out = (enum check_state)i;
			return 0;
		}
	return -1;
}

/* Worst first: CRITICAL, WARNING, UNKNOWN, OK. */
static const enum check_state by_rank[] = { CHECK_CRITICAL, CHECK_WARNING,
	CHECK_UNKNOWN, CHECK_OK };

static int
rank(enum check_state s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (by_rank[i] == s)
			return i;
	return 2;
}

enum check_state
check_worse(enum check_state a, enum check_state b)
{
	return rank(a) <= rank(b) ? a : b;
}

/* One end of a range, from 's' to 'end': a number, '~' (-inf) or empty. */
static int
range_end(const char *s, const char *end, double empty, double *out)
{
	char buf[CHECK_RANGE_TEXT], *e;

	if (s == end) {
		*out = empty;
		return 0;
	}
	if (end - s == 1 && *s == '~') {
		*out = -INFINITY;
		return 0;
	}
	memcpy(buf, s, (size_t)(end - s));
	buf[end - s] = '\0';
	errno = 0;
	*out = strtod(buf, &e);
	/* Numbers only: strtod's "inf", "nan" and hexadecimal are not. */
	if (e == buf || *e != '\0' || errno == ERANGE || !isfinite(*out) ||
	    strpbrk(buf, "xXnN") != NULL)
		return -1;
	return 0;
}

int
check_range_parse(const char *s, struct check_range *r, struct errbuf *eb)
{
	char q[2 * CHECK_RANGE_TEXT];
	const char *p = s, *colon, *end;
	size_t len = strlen(s);

	memset(r, 0, sizeof(*r));
	if (len == 0 || len >= CHECK_RANGE_TEXT || strpbrk(s, " \t\n\v\f\r"))
		goto bad;
	memcpy(r->text, s, len + 1);
	if (*p == '@') {
		r->inside = 1;
		p++;
	}
	end = s + len;
	if ((colon = strchr(p, ':')) != NULL) {
		if (range_end(p, colon, 0, &r->lo) == -1 ||
		    range_end(colon + 1, end, INFINITY, &r->hi) == -1 ||
		    (colon + 1 < end && colon[1] == '~'))
			goto bad;
	} else {
		r->lo = 0;
		if (p == end || range_end(p, end, 0, &r->hi) == -1 ||
		    r->hi == -INFINITY)
			goto bad;
	}
	if (r->lo > r->hi) {
		errbuf_set(eb, "range '%s' starts after it ends",
		    errbuf_quote(q, sizeof(q), s, len));
		memset(r, 0, sizeof(*r));
		return -1;
	}
	r->set = 1;
	return 0;
bad:
	errbuf_set(eb, "invalid range '%s' (as 10, 10:, ~:10, 10:20, @10:20)",
	    errbuf_quote(q, sizeof(q), s, len < CHECK_RANGE_TEXT ? len :
	    CHECK_RANGE_TEXT));
	memset(r, 0, sizeof(*r));
	return -1;
}

int
check_range_alerts(const struct check_range *r, double v)
{
	int in;

	if (!r->set)
		return 0;
	in = v >= r->lo && v <= r->hi;
	return r->inside ? in : !in;
}

enum check_state
check_value_state(const struct check_range *warn,
    const struct check_range *crit, double v)
{
	if (isnan(v))
		return CHECK_UNKNOWN;
	if (check_range_alerts(crit, v))
		return CHECK_CRITICAL;
	if (check_range_alerts(warn, v))
		return CHECK_WARNING;
	return CHECK_OK;
}

/*
 * A label for performance data: quoted unless plain.  It may hold
 * neither '=' nor "'": they are written ':' and '"', so that
 * 'x{job="a"}' stays readable as 'x{job:"a"}'.
 */
static void
put_perf_label(FILE *fp, const char *s)
{
	const char *p;
	int plain = *s != '\0';

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("_.:/-", *p)))
			plain = 0;
	if (!plain)
		putc('\'', fp);
	for (p = s; *p; p++)
		putc(*p == '=' ? ':' : *p == '\'' ? '"' :
		    (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p, fp);
	if (!plain)
		putc('\'', fp);
}

/*
 * Text of the line: one line, its first '|' the one before the
 * performance data, so control characters are written as blanks and
 * '|' as '/'.
 */
static void
put_text(FILE *fp, const char *s)
{
	for (; *s; s++)
		putc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' :
		    *s == '|' ? '/' : *s, fp);
}

static void
put_value(FILE *fp, double v, const char *nan)
{
	char num[NUMBER_BUFSZ];

	if (isnan(v)) {
		fputs(nan, fp);
		return;
	}
	number_format(num, v);
	fputs(num, fp);
}

int
check_write(FILE *fp, const char *service, enum check_state st,
    const struct check_item *items, size_t n, const struct check_range *warn,
    const struct check_range *crit, const char *note, struct errbuf *eb)
{
	size_t i, shown = 0;
	int k;

	put_text(fp, service);
	fprintf(fp, " %s - ", check_state_name(st));
	if (n == 0)
		put_text(fp, note ? note : "no value");
	for (k = 0; k < 4; k++)
		for (i = 0; i < n; i++) {
			if (items[i].state != by_rank[k])
				continue;
			if (shown == CHECK_TEXT_ITEMS) {
				fprintf(fp, ", and %zu more", n - shown);
				k = 4;
				break;
			}
			if (shown)
				fputs(", ", fp);
			put_text(fp, items[i].label);
			putc('=', fp);
			put_value(fp, items[i].value, "NaN");
			shown++;
		}
	if (n > 0)
		fputs(" |", fp);
	for (i = 0; i < n; i++) {
		putc(' ', fp);
		put_perf_label(fp, items[i].label);
		putc('=', fp);
		put_value(fp, items[i].value, "U");
		if (warn->set || crit->set)
			fprintf(fp, ";%s", warn->set ? warn->text : "");
		if (crit->set)
			fprintf(fp, ";%s", crit->text);
	}
	putc('\n', fp);
	if (fflush(fp) == EOF || ferror(fp))
		return errbuf_set(eb, "cannot write the result: %s",
		    strerror(errno));
	return 0;
}
