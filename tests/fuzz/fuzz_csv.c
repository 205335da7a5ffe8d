/* fuzz_csv.c - CSV files with a header, line by line */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "base/number.h"
#include "query/render.h"
#include "stream/csv.h"

/*
 * 's' as mquery -o csv writes it (the series in PromQL form, the
 * milliseconds, the value) reads back as the same sample.
 */
static void
check_round_trip(const struct sample *s)
{
	struct csv_parser *p = csv_parser_new();
	struct errbuf eb = ERRBUF_INIT;
	struct buf row = BUF_INIT, ser = BUF_INIT;
	static const char head[] = "series,timestamp,value";
	char num[NUMBER_BUFSZ];
	struct sample back;
	size_t i;

	render_series(&ser, s);
	render_csv_field(&row, ser.p, ser.len);
	buf_addf(&row, ",%lld,", s->has_ts ? (long long)s->ts : 0LL);
	buf_add(&row, num, number_format(num, s->value));
	fuzz_assert(csv_parse(p, head, sizeof(head) - 1, &back, &eb) == 0);
	if (csv_parse(p, row.p, row.len, &back, &eb) != 1) {
		fprintf(stderr, "%s: %s\n", row.p, eb.msg);
		fuzz_assert(!"a sample written as mquery writes it reads back");
	}
	fuzz_assert(back.name_len == s->name_len &&
	    memcmp(back.name, s->name, s->name_len) == 0);
	fuzz_assert((isnan(back.value) && isnan(s->value)) ||
	    back.value == s->value);
	fuzz_assert(back.has_ts && back.ts == (s->has_ts ? s->ts : 0));
	fuzz_assert(back.nlabels == s->nlabels);
	for (i = 0; i < s->nlabels; i++) {
		fuzz_assert(strcmp(back.labels[i].name, s->labels[i].name) == 0);
		fuzz_assert(back.labels[i].value_len == s->labels[i].value_len);
		fuzz_assert(memcmp(back.labels[i].value, s->labels[i].value,
		    s->labels[i].value_len) == 0);
	}
	buf_release(&row);
	buf_release(&ser);
	csv_parser_free(p);
}

/*
 * The lines of the input, the first the header: every sample a line
 * gives reads back as a stream line and as a line of mquery's CSV, no
 * more of them than the line said; a message is one line of plain text.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_parser *p = csv_parser_new();
	struct errbuf eb = ERRBUF_INIT;
	size_t off = 0, len;
	char *line;

	while ((line = fuzz_line(data, size, &off, &len)) != NULL) {
		struct sample s;
		int k, n = 0;
		if ((k = csv_parse(p, line, len, &s, &eb)) == -1)
			fuzz_check_message(eb.msg);
		while (k >= 1) {
			fuzz_assert(++n <= k);
			fuzz_check_sample(&s);
			check_round_trip(&s);
			if (!csv_next(p, &s))
				break;
		}
		fuzz_assert(k <= 0 || n == k);
		free(line);
	}
	csv_parser_free(p);
	return 0;
}
