/* t_series.c - series keys: encoding, decoding, hashing, matching */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "stream/matcher.h"
#include "stream/series.h"
#include "tap.h"

int
main(void)
{
	struct label l[3] = {
		{ "cpu", "0", 3, 1 }, { "host", "web1", 4, 4 }, { "mode", "idle", 4, 4 },
	};
	struct sample s = { .name = "node_cpu_seconds_total", .name_len = 22,
		.labels = l, .nlabels = 3 };
	struct sample d;
	struct label dl[METRIC_LABELS_MAX];
	struct buf key = BUF_INIT;
	struct matcher m[2];
	struct errbuf eb = ERRBUF_INIT;
	const char *v;
	size_t vl, i;
	int same = 1;

	series_key(&key, &s);
	ok(key.len == 22 + 1 + 4 + 2 + 5 + 5 + 5 + 5 &&
	    memcmp(key.p, "node_cpu_seconds_total\0cpu\0" "0\0host\0web1\0mode\0idle\0",
	    key.len) == 0, "key bytes");
	ok(series_key_decode(key.p, key.len, &d, dl) == 0 && d.nlabels == 3 &&
	    strcmp(d.name, s.name) == 0 && strcmp(dl[2].value, "idle") == 0 &&
	    dl[1].value_len == 4, "key decodes");
	is_int(series_key_decode(key.p, key.len - 1, &d, dl), -1,
	    "a key cut short is refused");
	v = series_key_label(key.p, key.len, "host", &vl);
	ok(v && vl == 4 && memcmp(v, "web1", 4) == 0, "label lookup");
	ok(series_key_label(key.p, key.len, "job", &vl) == NULL, "missing label");
	ok(series_hash("a\0b\0", 4) != series_hash("ab\0\0", 4),
	    "part boundaries count in the hash");
	(void)same;
	(void)i;

	ok(matcher_init(&m[0], MATCHER_RE, "__name__", "node_.*", 7, &eb) == 0 &&
	    matcher_init(&m[1], MATCHER_EQ, "job", "", 0, &eb) == 0, "matchers");
	ok(series_key_matches(key.p, key.len, m, 2),
	    "name regex and job=\"\" (absent) match");
	matcher_release(&m[1]);
	matcher_init(&m[1], MATCHER_NE, "mode", "idle", 4, &eb);
	ok(!series_key_matches(key.p, key.len, m, 2), "mode!=\"idle\" does not");
	matcher_release(&m[0]);
	matcher_release(&m[1]);
	buf_release(&key);
	return done_testing();
}
