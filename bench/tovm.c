/* tovm.c - convert a metric stream to VictoriaMetrics' JSON import format */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "base/number.h"
#include "base/xalloc.h"

/*
 * usage: tovm < stream.jsonl > vm.jsonl
 *
 * Writes one line per series, as /api/v1/import takes it:
 * {"metric":{"__name__":"x","host":"a"},"values":[...],"timestamps":[...]}
 * so the benchmark can feed VictoriaMetrics exactly the samples mstore
 * gets.  Lines are cut every 'batch' samples to keep them short.
 */
static void
json_str(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"' || s[i] == '\\')
			buf_addch(b, '\\');
		buf_addch(b, s[i]);
	}
	buf_addch(b, '"');
}

int
main(void)
{
	struct head *h = load_stdin();
	struct buf out = BUF_INIT;
	struct label labels[METRIC_LABELS_MAX];
	char num[NUMBER_BUFSZ];
	size_t i, j, k, batch = 1000;

	for (i = 0; i < head_nseries(h); i++) {
		struct head_series *hs = head_series(h, (uint32_t)i);
		struct sample m;
		series_key_decode(head_key(h, hs), hs->keylen, &m, labels);
		for (j = 0; j < hs->n; j += batch) {
			size_t end = j + batch < hs->n ? j + batch : hs->n;
			buf_reset(&out);
			buf_adds(&out, "{\"metric\":{\"__name__\":");
			json_str(&out, m.name, m.name_len);
			for (k = 0; k < m.nlabels; k++) {
				buf_addch(&out, ',');
				json_str(&out, m.labels[k].name, m.labels[k].name_len);
				buf_addch(&out, ':');
				json_str(&out, m.labels[k].value, m.labels[k].value_len);
			}
			buf_adds(&out, "},\"values\":[");
			for (k = j; k < end; k++) {
				if (k > j)
					buf_addch(&out, ',');
				buf_add(&out, num, number_format(num, hs->v[k]));
			}
			buf_adds(&out, "],\"timestamps\":[");
			for (k = j; k < end; k++) {
				if (k > j)
					buf_addch(&out, ',');
				buf_add(&out, num, number_format_i64(num, hs->ts[k]));
			}
			buf_adds(&out, "]}\n");
			fwrite(out.p, 1, out.len, stdout);
		}
	}
	buf_release(&out);
	head_free(h);
	return fclose(stdout) == 0 ? 0 : 1;
}
