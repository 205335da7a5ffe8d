/* fuzz_template.c - alert templates made of arbitrary bytes */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "alert/template.h"

/*
 * The input is a template.  Parsing never crashes and says where it
 * fails; a template that parses expands with any data, or fails with a
 * reason, for several values (the edges of a float).
 */
static const struct tmpl_label labels[] = {
	{ "__name__", "up" }, { "instance", "host:9100" }, { "job", "" },
};
static const double values[] = { 0, -0.0, 1234.5678, -1e300, 5e-324, NAN,
	INFINITY, -INFINITY, 9.3e15, 1e19 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf eb = ERRBUF_INIT;
	struct buf out = BUF_INIT;
	struct tmpl *t;
	size_t i;

	if (tmpl_parse((const char *)data, size, &t, &eb) == -1) {
		fuzz_assert(t == NULL && eb.msg[0] >= '1' && eb.msg[0] <= '9');
		return 0;
	}
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct tmpl_data d = { labels, 3, labels + 1, 1, values[i],
			"http://x" };
		eb.msg[0] = '\0';
		buf_reset(&out);
		if (tmpl_exec(t, &d, &out, &eb) == -1)
			fuzz_assert(eb.msg[0] != '\0');
	}
	buf_release(&out);
	tmpl_free(t);
	return 0;
}
