/* t_chart.c - chart values in their units, units guessed from names */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "base/buf.h"
#include "query/chart.h"
#include "tap.h"

static void
value_is(double v, enum chart_unit u, double ref, double res, const char *want)
{
	struct buf b = BUF_INIT;

	chart_value(&b, v, u, ref, res);
	buf_addch(&b, '\0');
	is_str(b.p, want, "%g (ref %g, res %g) is %s", v, ref, res, want);
	buf_release(&b);
}

int
main(void)
{
	/* Three significant digits when no resolution is given. */
	value_is(0, CHART_UNIT_NONE, 0, 0, "0");
	value_is(7, CHART_UNIT_NONE, 7, 0, "7.00");
	value_is(42.25, CHART_UNIT_NONE, 42.25, 0, "42.2");
	value_is(100, CHART_UNIT_NONE, 100, 0, "100");
	value_is(-0.0123, CHART_UNIT_NONE, 0.0123, 0, "-0.0123");
	value_is(1234567, CHART_UNIT_NONE, 1234567, 0, "1.23 M");
	value_is(2.5e12, CHART_UNIT_NONE, 2.5e12, 0, "2.50 T");
	/* Axis labels: the decimals of the step, the prefix of the range. */
	value_is(1500, CHART_UNIT_NONE, 3000, 500, "1.5 k");
	value_is(2000, CHART_UNIT_NONE, 3000, 500, "2.0 k");
	value_is(40, CHART_UNIT_NONE, 60, 20, "40");
	value_is(0.25, CHART_UNIT_NONE, 1, 0.25, "0.25");
	/* Bytes in powers of 1024. */
	value_is(0, CHART_UNIT_BYTES, 0, 0, "0 B");
	value_is(512, CHART_UNIT_BYTES, 512, 0, "512 B");
	value_is(1536, CHART_UNIT_BYTES, 1536, 0, "1.50 KiB");
	value_is(3 * 1073741824.0, CHART_UNIT_BYTES, 4 * 1073741824.0,
	    1073741824.0, "3 GiB");
	value_is(1536, CHART_UNIT_BYTES, 2e9, 0.5 * 1073741824.0, "0.0 GiB");
	value_is(1048576, CHART_UNIT_BYTES_RATE, 1048576, 0, "1.00 MiB/s");
	/* Seconds by their size. */
	value_is(0.000250, CHART_UNIT_SECONDS, 0.000250, 0, "250 µs");
	value_is(0.0125, CHART_UNIT_SECONDS, 0.0125, 0, "12.5 ms");
	value_is(30, CHART_UNIT_SECONDS, 30, 0, "30.0 s");
	value_is(600, CHART_UNIT_SECONDS, 600, 0, "10.0 min");
	value_is(36000, CHART_UNIT_SECONDS, 36000, 0, "10.0 h");
	value_is(3 * 86400, CHART_UNIT_SECONDS, 3 * 86400, 0, "3.00 d");
	/* Ratios as percentages, degrees as they are. */
	value_is(0.5, CHART_UNIT_RATIO, 1, 0.1, "50%");
	value_is(0.123, CHART_UNIT_RATIO, 0.123, 0, "12.3%");
	value_is(21.5, CHART_UNIT_CELSIUS, 21.5, 0, "21.5°C");
	/* What is not a number. */
	value_is(NAN, CHART_UNIT_BYTES, 1, 0, "NaN");
	value_is(INFINITY, CHART_UNIT_NONE, 1, 0, "+Inf");
	value_is(-INFINITY, CHART_UNIT_SECONDS, 1, 0, "-Inf");

	/* Sparklines: a height a share of the range, blanks where none. */
	{
		static const int64_t t[] = { 0, 10, 20, 30, 40, 50, 60, 70 };
		static const double v[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
		static const double f[] = { 5, 5, NAN, 5 };
		struct buf b = BUF_INIT;

		chart_sparkline(&b, t, v, 8, 0, 80, 8);
		buf_addch(&b, '\0');
		is_str(b.p, "▁▂▃▄▅▆▇█", "a rise, one a column");
		buf_reset(&b);
		chart_sparkline(&b, t, v, 8, 0, 80, 4);
		buf_addch(&b, '\0');
		is_str(b.p, "▁▃▆█", "two a column, averaged");
		buf_reset(&b);
		chart_sparkline(&b, t, f, 4, 0, 80, 8);
		buf_addch(&b, '\0');
		is_str(b.p, "▄▄ ▄    ", "all alike: the middle; no value: blank");
		buf_reset(&b);
		chart_sparkline(&b, t, v, 8, 100, 200, 3);
		buf_addch(&b, '\0');
		is_str(b.p, "   ", "none in the range");
		buf_release(&b);
	}

	/* Units by Prometheus' naming conventions. */
	is_int(chart_unit_guess(NULL, "node_memory_MemFree_bytes"),
	    CHART_UNIT_BYTES, "a _bytes name");
	is_int(chart_unit_guess("x", "http_request_duration_seconds"),
	    CHART_UNIT_SECONDS, "a _seconds name");
	is_int(chart_unit_guess("rate(node_network_receive_bytes_total[5m])",
	    NULL), CHART_UNIT_BYTES_RATE, "a rate of bytes");
	is_int(chart_unit_guess("node_network_receive_bytes_total", NULL),
	    CHART_UNIT_BYTES, "bytes, counted");
	is_int(chart_unit_guess("rate(node_cpu_seconds_total[1m])", NULL),
	    CHART_UNIT_NONE, "a rate of seconds is a fraction");
	is_int(chart_unit_guess("sum(node_cpu_seconds_total)", NULL),
	    CHART_UNIT_SECONDS, "seconds, counted");
	is_int(chart_unit_guess("1 - cache_hit_ratio", NULL),
	    CHART_UNIT_RATIO, "a ratio");
	is_int(chart_unit_guess("x_bytesize", NULL), CHART_UNIT_NONE,
	    "a suffix only at a name's end");
	is_int(chart_unit_guess("a - b", "temp_celsius"), CHART_UNIT_CELSIUS,
	    "the name first");
	return done_testing();
}
