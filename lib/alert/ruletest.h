/* ruletest.h - rule unit tests in promtool's format */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_RULETEST_H
#define MTK_RULETEST_H

#include <stdint.h>
#include <stdio.h>

/*
 * A test file as 'promtool test rules' reads it (Prometheus 2.42):
 *
 *	rule_files: [FILE, ...]		relative to the test file
 *	evaluation_interval: 1m
 *	tests:
 *	  - name: NAME			optional
 *	    interval: 1m		of the input series (none: 0,
 *					all at time 0, as in promtool
 *					2.42; the first value stays)
 *	    external_labels: {...}
 *	    external_url: URL
 *	    input_series:
 *	      - series: 'up{job="a"}'
 *	        values: '1 1+1x3 _ _x2 stale 0x5'
 *	    alert_rule_test:
 *	      - eval_time: 5m
 *	        alertname: NAME
 *	        exp_alerts:
 *	          - exp_labels: {...}
 *	            exp_annotations: {...}
 *	    promql_expr_test:
 *	      - expr: EXPR
 *	        eval_time: 1m
 *	        exp_samples:
 *	          - labels: 'up{job="a"}'
 *	            value: 1
 *
 * The series start at time 0, one value per interval ('a+bxn' is n+1
 * values from a by b, 'axn' a n+1 times, '_' no sample, '_xn' n of
 * them, 'stale' a stale marker).  The rules are evaluated at every
 * evaluation interval from 0 to the last eval_time, recording rules
 * adding to the series; an alert test compares the alerts firing after
 * the last evaluation at or before its eval_time (labels with
 * alertname, annotations) with those expected, as sets; an expression
 * test evaluates at its eval_time after every rule evaluation.
 */

/*
 * Run the tests of file 'path', writing a report like promtool's to
 * 'out' ("Unit Testing: FILE", then "  SUCCESS" or "  FAILED:" and each
 * failure).  A test group that would evaluate its rules more than
 * 'max_evals' times (its last eval_time over the evaluation interval)
 * fails without running.  Returns 0 when every test passed, 1 otherwise
 * (a failure, or a file or rule file that cannot be read).
 */
int ruletest_run(const char *path, uint64_t max_evals, FILE *out);

/* What malert test allows: 1,000,000 evaluations (694 days at 1m). */
#define RULETEST_MAX_EVALS 1000000

/*
 * Expand the values notation 's' into '*v' (a new array of '*n'; NaN
 * with payload PROMQL_STALE_NAN_BITS for 'stale'), with '*set' (a new
 * array) saying which are samples ('_' is not).  Returns 0, or -1 with
 * the bad word in 'why' (of 'size' bytes).
 */
int ruletest_values(const char *s, double **v, unsigned char **set, size_t *n,
    char *why, size_t size);

#endif
