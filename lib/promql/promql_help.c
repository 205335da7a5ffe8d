/* promql_help.c - a short manual of PromQL: each function, operator and keyword, with an example */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "promql/promql_help.h"

#define F PROMQL_HELP_FUNCTION
#define A PROMQL_HELP_AGGREGATION
#define O PROMQL_HELP_OPERATOR
#define K PROMQL_HELP_KEYWORD

/*
 * Sorted by strcmp(), so the operators come first; tests/unit/
 * t_promql_help.c checks the order, that every function and operator
 * the parser knows is here, that every example parses, and the width of
 * the texts; tests/t5190-promql-help.sh evaluates every example over
 * what mgather gathers.  A text says what the thing does in Prometheus
 * 2.42, which the evaluator follows.
 */
const struct promql_help promql_help[] = {
	{ "!=", O, "!=: a != [bool] b",
	    "Compares for inequality.  Without bool it keeps the series for\n"
	    "which it holds, with their value; with bool each gives 1 or 0.",
	    "rate(node_network_receive_errs_total[5m]) != 0" },
	{ "%", O, "%: a % b",
	    "The remainder of the left side divided by the right, with the\n"
	    "sign of the left side; the metric name is dropped.",
	    "node_time_seconds % 86400" },
	{ "*", O, "*: a * b",
	    "Multiplies.  Between two instant vectors, series whose labels\n"
	    "match (the name aside) pair up: see on, ignoring and group_left.",
	    "rate(node_network_receive_bytes_total[5m]) * 8" },
	{ "+", O, "+: a + b",
	    "Adds, a scalar or instant vector on either side.  Between two\n"
	    "vectors, series whose labels match (the name aside) pair up.",
	    "node_memory_Buffers_bytes + node_memory_Cached_bytes" },
	{ "-", O, "-: a - b, or -v",
	    "Subtracts the right side from the left; before a lone operand,\n"
	    "negates it.  The metric name is dropped.",
	    "node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes" },
	{ "/", O, "/: a / b",
	    "Divides; division by zero gives +Inf, -Inf or NaN, as floating\n"
	    "point does.  The metric name is dropped.",
	    "node_filesystem_avail_bytes / node_filesystem_size_bytes" },
	{ "<", O, "<: a < [bool] b",
	    "Less than.  Without bool it keeps the series for which it holds,\n"
	    "with their value; with bool each gives 1 or 0.",
	    "node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1" },
	{ "<=", O, "<=: a <= [bool] b",
	    "Less than or equal.  Without bool it keeps the series for which\n"
	    "it holds, with their value; with bool each gives 1 or 0.",
	    "node_memory_MemAvailable_bytes <= 2^30" },
	{ "==", O, "==: a == [bool] b",
	    "Compares for equality.  Without bool it keeps the series for\n"
	    "which it holds, with their value; with bool each gives 1 or 0.",
	    "node_filesystem_readonly == 1" },
	{ ">", O, ">: a > [bool] b",
	    "Greater than.  Without bool it keeps the series for which it\n"
	    "holds, with their value; with bool each gives 1 or 0.",
	    "node_load1 > 2" },
	{ ">=", O, ">=: a >= [bool] b",
	    "Greater than or equal.  Without bool it keeps the series for\n"
	    "which it holds, with their value; with bool each gives 1 or 0.",
	    "node_procs_blocked >= 1" },
	{ "@", K, "@: selector @ time, or @ start(), or @ end()",
	    "Evaluates a selector or subquery at a fixed time, in seconds\n"
	    "since the epoch, or at the query's start or end, at every step.",
	    "max_over_time(node_load1[1h] @ end())" },
	{ "^", O, "^: a ^ b",
	    "Raises the left side to the power of the right.  It binds more\n"
	    "tightly than the other arithmetic, and from the right.",
	    "node_memory_MemTotal_bytes / 2^30" },
	{ "abs", F, "abs(v instant-vector) instant-vector",
	    "The absolute value of each sample.",
	    "abs(delta(node_memory_MemAvailable_bytes[5m]))" },
	{ "absent", F, "absent(v instant-vector) instant-vector",
	    "Nothing when v has a series; otherwise one series of value 1,\n"
	    "labelled by the equality matchers of v's selector.  For alerts.",
	    "absent(node_load1{host=\"db1\"})" },
	{ "absent_over_time", F,
	    "absent_over_time(v range-vector) instant-vector",
	    "Nothing when a series of v has a sample in the window; otherwise\n"
	    "one series of value 1, labelled as absent() labels it.",
	    "absent_over_time(node_load1[10m])" },
	{ "acos", F, "acos(v instant-vector) instant-vector",
	    "The arccosine of each sample, in radians.",
	    "acos(node_filesystem_avail_bytes / node_filesystem_size_bytes)" },
	{ "acosh", F, "acosh(v instant-vector) instant-vector",
	    "The inverse hyperbolic cosine of each sample.",
	    "acosh(node_load1 + 1)" },
	{ "and", O, "and: v1 and [on|ignoring (label, ...)] v2",
	    "The series of v1 that have a match in v2 (on all labels but the\n"
	    "name, or as on or ignoring say), with v1's values.",
	    "node_load1 > 4 and node_procs_blocked > 0" },
	{ "asin", F, "asin(v instant-vector) instant-vector",
	    "The arcsine of each sample, in radians.",
	    "asin(node_filesystem_avail_bytes / node_filesystem_size_bytes)" },
	{ "asinh", F, "asinh(v instant-vector) instant-vector",
	    "The inverse hyperbolic sine of each sample.",
	    "asinh(deriv(node_load1[10m]))" },
	{ "atan", F, "atan(v instant-vector) instant-vector",
	    "The arctangent of each sample, in radians.",
	    "atan(node_load1)" },
	{ "atan2", O, "atan2: y atan2 x",
	    "The angle, in radians, of the point whose coordinates are the\n"
	    "right side (x) and the left side (y), as atan2(y, x).",
	    "rate(node_network_transmit_bytes_total[5m]) atan2 "
	    "rate(node_network_receive_bytes_total[5m])" },
	{ "atanh", F, "atanh(v instant-vector) instant-vector",
	    "The inverse hyperbolic tangent of each sample.",
	    "atanh(node_filesystem_avail_bytes / node_filesystem_size_bytes)" },
	{ "avg", A, "avg [by|without (label, ...)] (v instant-vector)",
	    "The mean of the values of each group of series.",
	    "1 - avg by (host) (rate(node_cpu_seconds_total{mode=\"idle\"}[5m]))" },
	{ "avg_over_time", F, "avg_over_time(v range-vector) instant-vector",
	    "The mean of each series' samples in the window.",
	    "avg_over_time(node_load1[1h])" },
	{ "bool", K, "bool: a == bool b (or any comparison)",
	    "After a comparison: instead of keeping the series for which it\n"
	    "holds, gives 1 or 0 for each.  Required between two scalars.",
	    "node_load1 > bool 1" },
	{ "bottomk", A,
	    "bottomk [by|without (label, ...)] (k scalar, v instant-vector)",
	    "The k series of the smallest values in each group, with their\n"
	    "labels unchanged.",
	    "bottomk(3, node_filesystem_avail_bytes)" },
	{ "by", K, "by: aggregation by (label, ...) (v)",
	    "Groups an aggregation by these labels: one result series for each\n"
	    "combination of their values, with only those labels.",
	    "sum by (mode) (rate(node_cpu_seconds_total[5m]))" },
	{ "ceil", F, "ceil(v instant-vector) instant-vector",
	    "Rounds each sample up to the nearest integer.",
	    "ceil(node_load1)" },
	{ "changes", F, "changes(v range-vector) instant-vector",
	    "How many times each series' value changed in the window.",
	    "changes(node_boot_time_seconds[1d])" },
	{ "clamp", F,
	    "clamp(v instant-vector, min scalar, max scalar) instant-vector",
	    "Limits each sample to the range from min to max; nothing at all\n"
	    "when min is greater than max.",
	    "clamp(deriv(node_load1[10m]), -1, 1)" },
	{ "clamp_max", F, "clamp_max(v instant-vector, max scalar) instant-vector",
	    "Lowers each sample above max to max.",
	    "clamp_max(node_load1, 10)" },
	{ "clamp_min", F, "clamp_min(v instant-vector, min scalar) instant-vector",
	    "Raises each sample below min to min.",
	    "clamp_min(node_memory_MemTotal_bytes - "
	    "node_memory_MemAvailable_bytes, 0)" },
	{ "cos", F, "cos(v instant-vector) instant-vector",
	    "The cosine of each sample, taken as radians.",
	    "cos(2 * pi() * node_time_seconds / 86400)" },
	{ "cosh", F, "cosh(v instant-vector) instant-vector",
	    "The hyperbolic cosine of each sample.",
	    "cosh(node_load1)" },
	{ "count", A, "count [by|without (label, ...)] (v instant-vector)",
	    "The number of series in each group.",
	    "count by (host) (node_cpu_seconds_total{mode=\"idle\"})" },
	{ "count_over_time", F,
	    "count_over_time(v range-vector) instant-vector",
	    "The number of samples of each series in the window.",
	    "count_over_time(node_load1[1h])" },
	{ "count_values", A,
	    "count_values [by|without (label, ...)] (label string, "
	    "v instant-vector)",
	    "The number of series of each value in each group, the value\n"
	    "written in the label that the first argument names.",
	    "count_values(\"cpus\", count by (host) "
	    "(node_cpu_seconds_total{mode=\"idle\"}))" },
	{ "day_of_month", F, "day_of_month([v instant-vector]) instant-vector",
	    "The day of the month (1 to 31, UTC) of each sample read as\n"
	    "seconds since the epoch, or of the evaluation time without v.",
	    "day_of_month(node_boot_time_seconds)" },
	{ "day_of_week", F, "day_of_week([v instant-vector]) instant-vector",
	    "The day of the week (0 for Sunday to 6, UTC) of each sample read\n"
	    "as seconds since the epoch, or of the evaluation time without v.",
	    "day_of_week(node_boot_time_seconds)" },
	{ "day_of_year", F, "day_of_year([v instant-vector]) instant-vector",
	    "The day of the year (1 to 365, 366 in a leap year, UTC) of each\n"
	    "sample read as seconds since the epoch, or of the evaluation time.",
	    "day_of_year(node_boot_time_seconds)" },
	{ "days_in_month", F,
	    "days_in_month([v instant-vector]) instant-vector",
	    "The number of days (28 to 31) in the month, in UTC, of each sample\n"
	    "read as seconds since the epoch, or of the evaluation time.",
	    "days_in_month(node_time_seconds)" },
	{ "deg", F, "deg(v instant-vector) instant-vector",
	    "Converts each sample from radians to degrees.",
	    "deg(asin(node_filesystem_avail_bytes / node_filesystem_size_bytes))" },
	{ "delta", F, "delta(v range-vector) instant-vector",
	    "The last value of each gauge in the window minus the first,\n"
	    "extrapolated to the window's ends.",
	    "delta(node_memory_MemAvailable_bytes[1h])" },
	{ "deriv", F, "deriv(v range-vector) instant-vector",
	    "The per-second slope of each gauge in the window, by least-squares\n"
	    "linear regression.",
	    "deriv(node_filesystem_avail_bytes[1h])" },
	{ "exp", F, "exp(v instant-vector) instant-vector",
	    "e raised to the power of each sample.",
	    "exp(node_load1)" },
	{ "floor", F, "floor(v instant-vector) instant-vector",
	    "Rounds each sample down to the nearest integer.",
	    "floor(node_load1)" },
	{ "group", A, "group [by|without (label, ...)] (v instant-vector)",
	    "One series of value 1 for each group.",
	    "group by (device) (node_network_receive_bytes_total)" },
	{ "group_left", K,
	    "group_left: a op on|ignoring (label, ...) group_left [(label, ...)] b",
	    "Many-to-one matching: several series of the left side may match\n"
	    "one series of the right, whose labels listed after it are copied.",
	    "rate(node_cpu_seconds_total[5m]) / on (host) group_left "
	    "count by (host) (node_cpu_seconds_total{mode=\"idle\"})" },
	{ "group_right", K,
	    "group_right: a op on|ignoring (label, ...) group_right "
	    "[(label, ...)] b",
	    "One-to-many matching: several series of the right side may match\n"
	    "one series of the left, whose labels listed after it are copied.",
	    "sum by (host) (rate(node_cpu_seconds_total[5m])) - on (host) "
	    "group_right rate(mtk_cgroup_cpu_usage_seconds_total[5m])" },
	{ "histogram_count", F,
	    "histogram_count(v instant-vector) instant-vector",
	    "The count of observations of each native histogram.  mtk stores\n"
	    "only floats, so this finds nothing.",
	    "histogram_count(rate(http_request_duration_seconds[5m]))" },
	{ "histogram_fraction", F,
	    "histogram_fraction(lower scalar, upper scalar, v instant-vector) "
	    "instant-vector",
	    "The estimated fraction of observations between lower and upper\n"
	    "of each native histogram; mtk stores none, so nothing.",
	    "histogram_fraction(0, 0.1, "
	    "rate(http_request_duration_seconds[5m]))" },
	{ "histogram_quantile", F,
	    "histogram_quantile(q scalar, b instant-vector) instant-vector",
	    "Estimates the q-quantile from the buckets of classic histograms\n"
	    "(series differing in le), by interpolating inside a bucket.",
	    "histogram_quantile(0.9, sum by (le) "
	    "(rate(http_request_duration_seconds_bucket[5m])))" },
	{ "histogram_sum", F, "histogram_sum(v instant-vector) instant-vector",
	    "The sum of observations of each native histogram.  mtk stores\n"
	    "only floats, so this finds nothing.",
	    "histogram_sum(rate(http_request_duration_seconds[5m]))" },
	{ "holt_winters", F,
	    "holt_winters(v range-vector, sf scalar, tf scalar) instant-vector",
	    "Smooths each gauge over the window by double exponential\n"
	    "smoothing: sf weighs the data, tf the trend, each in (0, 1).",
	    "holt_winters(node_load1[1h], 0.3, 0.1)" },
	{ "hour", F, "hour([v instant-vector]) instant-vector",
	    "The hour of the day (0 to 23, UTC) of each sample read as seconds\n"
	    "since the epoch, or of the evaluation time without v.",
	    "hour(node_boot_time_seconds)" },
	{ "idelta", F, "idelta(v range-vector) instant-vector",
	    "The difference between the last two samples of each gauge in the\n"
	    "window.",
	    "idelta(node_memory_MemAvailable_bytes[5m])" },
	{ "ignoring", K, "ignoring: a op ignoring (label, ...) b",
	    "Matches the series of the two sides of an operator on all their\n"
	    "labels but these (and the name).",
	    "rate(node_cpu_seconds_total{mode=\"user\"}[5m]) / ignoring (mode) "
	    "rate(node_cpu_seconds_total{mode=\"system\"}[5m])" },
	{ "increase", F, "increase(v range-vector) instant-vector",
	    "How much each counter rose in the window, resets accounted for and\n"
	    "extrapolated to the window's ends: rate() times its seconds.",
	    "increase(node_network_receive_bytes_total[1h])" },
	{ "irate", F, "irate(v range-vector) instant-vector",
	    "The per-second rate of each counter from the last two samples in\n"
	    "the window, a reset accounted for.",
	    "irate(node_cpu_seconds_total[5m])" },
	{ "label_join", F,
	    "label_join(v instant-vector, dst string, separator string"
	    "[, src string, ...]) instant-vector",
	    "Sets label dst of each series to the values of the src labels,\n"
	    "joined by separator.",
	    "label_join(node_filesystem_avail_bytes, \"fs\", \":\", "
	    "\"device\", \"mountpoint\")" },
	{ "label_replace", F,
	    "label_replace(v instant-vector, dst string, replacement string, "
	    "src string, regex string) instant-vector",
	    "Where regex matches the whole value of label src, sets label dst\n"
	    "to replacement, $1 and the like expanded; other series stay as is.",
	    "label_replace(node_network_receive_bytes_total, \"kind\", \"$1\", "
	    "\"device\", \"(eth|en|wl|lo).*\")" },
	{ "last_over_time", F, "last_over_time(v range-vector) instant-vector",
	    "The newest sample of each series in the window; the metric name\n"
	    "is kept.",
	    "last_over_time(node_boot_time_seconds[1h])" },
	{ "ln", F, "ln(v instant-vector) instant-vector",
	    "The natural logarithm of each sample.",
	    "ln(node_load1)" },
	{ "log10", F, "log10(v instant-vector) instant-vector",
	    "The decimal logarithm of each sample.",
	    "log10(node_memory_MemTotal_bytes)" },
	{ "log2", F, "log2(v instant-vector) instant-vector",
	    "The binary logarithm of each sample.",
	    "log2(node_memory_MemTotal_bytes)" },
	{ "mad_over_time", F, "mad_over_time(v range-vector) instant-vector",
	    "The median absolute deviation of each series' samples in the\n"
	    "window: the median of their distances to their median.",
	    "mad_over_time(node_load1[1h])" },
	{ "max", A, "max [by|without (label, ...)] (v instant-vector)",
	    "The largest value in each group of series.",
	    "max by (host) (rate(node_disk_io_time_seconds_total[5m]))" },
	{ "max_over_time", F, "max_over_time(v range-vector) instant-vector",
	    "The largest of each series' samples in the window.",
	    "max_over_time(node_load1[1h])" },
	{ "min", A, "min [by|without (label, ...)] (v instant-vector)",
	    "The smallest value in each group of series.",
	    "min by (host) (node_filesystem_avail_bytes / "
	    "node_filesystem_size_bytes)" },
	{ "min_over_time", F, "min_over_time(v range-vector) instant-vector",
	    "The smallest of each series' samples in the window.",
	    "min_over_time(node_memory_MemAvailable_bytes[1h])" },
	{ "minute", F, "minute([v instant-vector]) instant-vector",
	    "The minute of the hour (0 to 59, UTC) of each sample read as\n"
	    "seconds since the epoch, or of the evaluation time without v.",
	    "minute(node_boot_time_seconds)" },
	{ "month", F, "month([v instant-vector]) instant-vector",
	    "The month (1 to 12, UTC) of each sample read as seconds since the\n"
	    "epoch, or of the evaluation time without v.",
	    "month(node_boot_time_seconds)" },
	{ "offset", K, "offset: selector offset duration",
	    "Reads a selector or subquery as it was that long before each\n"
	    "evaluation time (a negative duration looks ahead).",
	    "node_load1 - node_load1 offset 1d" },
	{ "on", K, "on: a op on (label, ...) b",
	    "Matches the series of the two sides of an operator on these labels\n"
	    "only.",
	    "node_memory_MemAvailable_bytes / on (host) "
	    "node_memory_MemTotal_bytes" },
	{ "or", O, "or: v1 or [on|ignoring (label, ...)] v2",
	    "All the series of v1, and those of v2 that have no match in v1\n"
	    "(on all labels but the name, or as on or ignoring say).",
	    "node_load1 > 4 or node_procs_blocked > 0" },
	{ "pi", F, "pi() scalar",
	    "The number pi, 3.14159...",
	    "sin(2 * pi() * node_time_seconds / 86400)" },
	{ "predict_linear", F,
	    "predict_linear(v range-vector, t scalar) instant-vector",
	    "The value each gauge will have t seconds after the evaluation\n"
	    "time, on a least-squares line through the window's samples.",
	    "predict_linear(node_filesystem_avail_bytes[1h], 4 * 3600)" },
	{ "present_over_time", F,
	    "present_over_time(v range-vector) instant-vector",
	    "1 for each series with a sample in the window.",
	    "present_over_time(node_load1[10m])" },
	{ "quantile", A,
	    "quantile [by|without (label, ...)] (q scalar, v instant-vector)",
	    "The q-quantile (0 <= q <= 1) of the values of each group of\n"
	    "series, interpolated between the nearest two.",
	    "quantile(0.9, rate(node_cpu_seconds_total{mode=\"user\"}[5m]))" },
	{ "quantile_over_time", F,
	    "quantile_over_time(q scalar, v range-vector) instant-vector",
	    "The q-quantile (0 <= q <= 1) of each series' samples in the\n"
	    "window.",
	    "quantile_over_time(0.95, node_load1[1h])" },
	{ "rad", F, "rad(v instant-vector) instant-vector",
	    "Converts each sample from degrees to radians.",
	    "rad(node_time_seconds % 86400 / 240)" },
	{ "rate", F, "rate(v range-vector) instant-vector",
	    "The per-second average rate of increase of each counter in the\n"
	    "window, resets accounted for and extrapolated to its ends.",
	    "rate(node_network_receive_bytes_total[5m])" },
	{ "resets", F, "resets(v range-vector) instant-vector",
	    "How many times each counter was reset (went down) in the window.",
	    "resets(node_cpu_seconds_total[1d])" },
	{ "round", F,
	    "round(v instant-vector[, to_nearest scalar]) instant-vector",
	    "Rounds each sample to the nearest multiple of to_nearest (1 when\n"
	    "left out), halves upward.",
	    "round(node_memory_MemAvailable_bytes / 2^30, 0.1)" },
	{ "scalar", F, "scalar(v instant-vector) scalar",
	    "The value of v's only series as a scalar; NaN when v has no series\n"
	    "or more than one.",
	    "node_load1 / scalar(count(node_cpu_seconds_total{mode=\"idle\"}))" },
	{ "sgn", F, "sgn(v instant-vector) instant-vector",
	    "-1, 0 or 1 as each sample is negative, zero or positive.",
	    "sgn(deriv(node_filesystem_avail_bytes[1h]))" },
	{ "sin", F, "sin(v instant-vector) instant-vector",
	    "The sine of each sample, taken as radians.",
	    "sin(rad(node_time_seconds % 86400 / 240))" },
	{ "sinh", F, "sinh(v instant-vector) instant-vector",
	    "The hyperbolic sine of each sample.",
	    "sinh(deriv(node_load1[10m]))" },
	{ "sort", F, "sort(v instant-vector) instant-vector",
	    "Orders the series by value, smallest first.  A range query's\n"
	    "series are ordered by labels whatever sort does.",
	    "sort(node_filesystem_avail_bytes)" },
	{ "sort_desc", F, "sort_desc(v instant-vector) instant-vector",
	    "Orders the series by value, largest first.  A range query's\n"
	    "series are ordered by labels whatever sort_desc does.",
	    "sort_desc(rate(node_network_receive_bytes_total[5m]))" },
	{ "sqrt", F, "sqrt(v instant-vector) instant-vector",
	    "The square root of each sample.",
	    "sqrt(node_load1)" },
	{ "stddev", A, "stddev [by|without (label, ...)] (v instant-vector)",
	    "The population standard deviation of the values of each group.",
	    "stddev by (host) (rate(node_cpu_seconds_total{mode=\"user\"}[5m]))" },
	{ "stddev_over_time", F,
	    "stddev_over_time(v range-vector) instant-vector",
	    "The population standard deviation of each series' samples in the\n"
	    "window.",
	    "stddev_over_time(node_load1[1h])" },
	{ "stdvar", A, "stdvar [by|without (label, ...)] (v instant-vector)",
	    "The population variance of the values of each group.",
	    "stdvar by (host) (rate(node_cpu_seconds_total{mode=\"user\"}[5m]))" },
	{ "stdvar_over_time", F,
	    "stdvar_over_time(v range-vector) instant-vector",
	    "The population variance of each series' samples in the window.",
	    "stdvar_over_time(node_load1[1h])" },
	{ "sum", A, "sum [by|without (label, ...)] (v instant-vector)",
	    "The sum of the values of each group of series.",
	    "sum by (mode) (rate(node_cpu_seconds_total[5m]))" },
	{ "sum_over_time", F, "sum_over_time(v range-vector) instant-vector",
	    "The sum of each series' samples in the window.",
	    "sum_over_time(node_procs_blocked[10m])" },
	{ "tan", F, "tan(v instant-vector) instant-vector",
	    "The tangent of each sample, taken as radians.",
	    "tan(rad(node_time_seconds % 86400 / 480))" },
	{ "tanh", F, "tanh(v instant-vector) instant-vector",
	    "The hyperbolic tangent of each sample.",
	    "tanh(deriv(node_load1[10m]))" },
	{ "time", F, "time() scalar",
	    "The evaluation time, in seconds since the epoch.",
	    "time() - node_boot_time_seconds" },
	{ "timestamp", F, "timestamp(v instant-vector) instant-vector",
	    "The time of each series' sample, in seconds since the epoch, not\n"
	    "the evaluation time.",
	    "time() - timestamp(node_load1)" },
	{ "topk", A,
	    "topk [by|without (label, ...)] (k scalar, v instant-vector)",
	    "The k series of the largest values in each group, with their\n"
	    "labels unchanged.",
	    "topk(3, rate(node_network_receive_bytes_total[5m]))" },
	{ "unless", O, "unless: v1 unless [on|ignoring (label, ...)] v2",
	    "The series of v1 that have no match in v2 (on all labels but the\n"
	    "name, or as on or ignoring say).",
	    "node_filesystem_avail_bytes unless node_filesystem_readonly == 1" },
	{ "vector", F, "vector(s scalar) instant-vector",
	    "The scalar as one series without labels.",
	    "sum(node_procs_blocked) or vector(0)" },
	{ "without", K, "without: aggregation without (label, ...) (v)",
	    "Groups an aggregation by every label but these: the result series\n"
	    "keep the other labels (the metric name never).",
	    "sum without (cpu) (rate(node_cpu_seconds_total[5m]))" },
	{ "year", F, "year([v instant-vector]) instant-vector",
	    "The year (UTC) of each sample read as seconds since the epoch, or\n"
	    "of the evaluation time without v.",
	    "year(node_boot_time_seconds)" },
	{ .name = NULL },
};

#undef F
#undef A
#undef O
#undef K

static int
cmp_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct promql_help *)elem)->name);
}

const struct promql_help *
promql_help_lookup(const char *name)
{
	size_t n = sizeof(promql_help) / sizeof(promql_help[0]) - 1;

	return bsearch(name, promql_help, n, sizeof(promql_help[0]), cmp_name);
}
