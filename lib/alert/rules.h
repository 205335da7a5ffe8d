/* rules.h - Prometheus rule files: groups of alerting and recording rules */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_RULES_H
#define MTK_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "alert/template.h"
#include "base/errbuf.h"

/*
 * A rule file is Prometheus' (rulefmt, 2.42), read with libyaml:
 *
 *	groups:
 *	  - name: NAME			required, unique in the file
 *	    interval: DURATION		default: the evaluator's
 *	    limit: N			alerts or series per rule, 0: none
 *	    rules:
 *	      - alert: NAME		or record: METRIC_NAME
 *	        expr: PROMQL
 *	        for: DURATION		alerting rules only
 *	        keep_firing_for: DURATION	alerting rules only
 *	        labels: { NAME: TEMPLATE, ... }
 *	        annotations: { NAME: TEMPLATE, ... }	alerting rules only
 *
 * with Prometheus' checks: unknown fields, one of alert and record,
 * the expression parses, valid names, durations as Prometheus writes
 * them (1h30m, 0), templates that parse (template.h: malert's subset).
 */

struct rule_kv {
	char *name, *value;
	struct tmpl *t;		/* parsed value (alerting rules) */
};

enum rule_kind { RULE_ALERT, RULE_RECORD };

struct rule {
	enum rule_kind kind;
	char *name;		/* the alert's name, or the recorded metric */
	char *expr;
	int64_t for_ms, keep_firing_ms;
	struct rule_kv *labels, *annotations;	/* sorted by name */
	size_t nlabels, nannotations;
	int line;		/* where it starts in its file */
};

struct rule_group {
	char *name, *file;
	int64_t interval_ms;	/* 0: the evaluator's default */
	uint64_t limit;
	struct rule *rules;
	size_t nrules;
};

struct rule_set {
	struct rule_group *groups;
	size_t ngroups;
	/* Every error found, "file:line:col: what", for lint to list. */
	char **errors;
	size_t nerrors;
};

/*
 * Add the groups of rule file 'path' to 'rs'.  Every error found goes
 * to rs->errors (the file is read to its end, as promtool does);
 * returns the number added, 0 for a file without errors.
 */
size_t rules_load(struct rule_set *rs, const char *path);

void rules_free(struct rule_set *rs);

/* Parse a duration as Prometheus does ("1h30m", "90s", "0"): 0 or -1. */
int rules_duration(const char *s, int64_t *ms);

/* The number of rules in 'rs'. */
size_t rules_count(const struct rule_set *rs);

#endif
