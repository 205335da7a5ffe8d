/* fuzz_chart.c - charts and SVG images of any values: NaN, infinities, huge, tiny */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fuzz.h"
#include "query/chart.h"

#define SERIES_MAX 12
#define POINTS_MAX 512

/*
 * The input: width, height, top, flags (colour, instant, unit, stack), the
 * number of series, then points of 10 bytes each (the gap to the
 * previous time in seconds, 2 bytes; the value's 8 bytes), dealt to
 * the series in turn.  The chart is drawn; it ends in a line feed.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct promql_rseries rs[SERIES_MAX];
	struct promql_label lab[SERIES_MAX][2];
	static const char *const names[SERIES_MAX] = { "0", "1", "2", "3", "4",
		"5", "6", "7", "8", "9", "10", "11" };
	int64_t t[SERIES_MAX][POINTS_MAX], now[SERIES_MAX];
	double v[SERIES_MAX][POINTS_MAX];
	struct promql_result r;
	struct chart_opts o = CHART_OPTS_INIT;
	struct buf b = BUF_INIT;
	size_t i, ns;
	int flags;

	if (size < 5)
		return 0;
	o.width = 20 + data[0] % 250;
	o.height = 1 + data[1] % 60;
	o.top = data[2] % 10;
	o.color = data[3] & 1;
	o.unit = (enum chart_unit)((data[3] >> 2 & 7) % 7);
	flags = data[3];
	ns = 1 + data[4] % SERIES_MAX;
	memset(&r, 0, sizeof(r));
	r.type = data[3] & 2 ? PROMQL_TYPE_VECTOR : PROMQL_TYPE_MATRIX;
	r.range = !(data[3] & 2);
	r.series = rs;
	r.n = ns;
	for (i = 0; i < ns; i++) {
		lab[i][0] = (struct promql_label){ "__name__", "x", 8, 1 };
		lab[i][1] = (struct promql_label){ "s", names[i], 1,
			strlen(names[i]) };
		rs[i] = (struct promql_rseries){ lab[i], 2, t[i], v[i], 0 };
		now[i] = 1700000000000;
	}
	data += 5;
	size -= 5;
	for (i = 0; size >= 10; i = (i + 1) % ns, data += 10, size -= 10) {
		struct promql_rseries *s = &rs[i];
		if (s->n == POINTS_MAX)
			break;
		now[i] += (int64_t)(data[0] | data[1] << 8) * 1000;
		t[i][s->n] = now[i];
		memcpy(&v[i][s->n], data + 2, sizeof(double));
		s->n++;
	}
	if (r.type == PROMQL_TYPE_VECTOR)
		for (i = 0; i < ns; i++)
			if (rs[i].n > 1)
				rs[i].n = 1;
	chart_render(&b, &r, NULL, &o);
	fuzz_assert(b.len > 0 && b.p[b.len - 1] == '\n');
	buf_reset(&b);
	/* The same as an image: sizes in pixels, stacked or not. */
	o.width *= 4;
	o.height *= 8;
	o.stack = flags >> 5 & 1;
	chart_svg(&b, &r, NULL, &o);
	fuzz_assert(b.len > 7 && memcmp(b.p + b.len - 7, "</svg>\n", 7) == 0);
	buf_release(&b);
	return 0;
}
