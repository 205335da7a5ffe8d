/* check.h - Monitoring Plugins checks: thresholds, states, the plugin's line */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_CHECK_H
#define MTK_CHECK_H

#include <stddef.h>
#include <stdio.h>

#include "base/errbuf.h"

/*
 * What Nagios, Icinga and the Monitoring Plugins expect of a check
 * (monitoring-plugins.org, "Development Guidelines"): a state, as the
 * exit status, and one line of text with performance data.
 */
enum check_state {
	CHECK_OK = 0,
	CHECK_WARNING = 1,
	CHECK_CRITICAL = 2,
	CHECK_UNKNOWN = 3
};

/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *check_state_name(enum check_state s);

/* The 'i'-th (from 0) word check_state_parse() takes, NULL past the last. */
const char *check_state_word(size_t i);

/* "ok", "warning", "critical" or "unknown" (any case).  0, or -1. */
int check_state_parse(const char *s, enum check_state *out);

/* The worse of two: CRITICAL, then WARNING, then UNKNOWN, then OK. */
enum check_state check_worse(enum check_state a, enum check_state b);

/*
 * A threshold in the guidelines' range syntax, where the value alerts
 * when outside the range, ends included:
 *
 *	10	outside 0 .. 10		10:	below 10
 *	~:10	above 10		10:20	outside 10 .. 20
 *	@10:20	inside 10 .. 20, ends included
 *
 * '~' is minus infinity; an end left empty is infinity (after ':') or 0
 * (before it).
 */
#define CHECK_RANGE_TEXT 64

struct check_range {
	int set;			/* given */
	int inside;			/* '@' */
	double lo, hi;
	char text[CHECK_RANGE_TEXT];	/* as given, for performance data */
};

/*
 * Parse 's' into 'r'.  Returns 0, or -1 with "invalid range '1:x'" or
 * "range '5:1' starts after it ends" in 'eb'.
 */
int check_range_parse(const char *s, struct check_range *r, struct errbuf *eb);

/* Whether 'v' alerts under 'r' (never when 'r' is not set). */
int check_range_alerts(const struct check_range *r, double v);

/*
 * The state of value 'v': CRITICAL when it alerts under 'crit', else
 * WARNING under 'warn', else OK; UNKNOWN for NaN, which no range
 * orders.
 */
enum check_state check_value_state(const struct check_range *warn,
    const struct check_range *crit, double v);

/* One value checked: the name it is shown by, its value and state. */
struct check_item {
	const char *label;
	double value;
	enum check_state state;
};

/* Shown in the text before "and N more"; the performance data has all. */
#define CHECK_TEXT_ITEMS 10

/*
 * Write the plugin's line for 'service' in state 'st' to 'fp':
 *
 *	SERVICE STATE - text | perfdata
 *
 * With items, the text is "label=value" for each, worst state first
 * (then in their order), and the performance data
 * "'label'=value;warn;crit" for each ('U' for NaN; quoted only when the
 * label needs it; '=' and "'" in labels written ':' and '"').  Without
 * items, the text is 'note'.  It stays one line: control characters are
 * written as blanks, and '|' before the performance data as '/'.
 * Returns 0, or -1 with a write error in 'eb'.
 */
int check_write(FILE *fp, const char *service, enum check_state st,
    const struct check_item *items, size_t n, const struct check_range *warn,
    const struct check_range *crit, const char *note, struct errbuf *eb);

#endif
