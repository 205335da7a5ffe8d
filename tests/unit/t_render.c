/* t_render.c - series text, CSV fields, display widths and aligned tables */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "base/buf.h"
#include "query/render.h"
#include "tap.h"

static void
series_is(const char *name, const char *const *kv, size_t nl, const char *want)
{
	struct label l[8];
	struct sample m;
	struct buf b = BUF_INIT;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.name = name;
	m.name_len = strlen(name);
	for (i = 0; i < nl; i++) {
		l[i].name = kv[2 * i];
		l[i].name_len = (uint32_t)strlen(kv[2 * i]);
		l[i].value = kv[2 * i + 1];
		l[i].value_len = (uint32_t)strlen(kv[2 * i + 1]);
	}
	/* A value with a NUL in it: "a\0b". */
	if (nl > 0 && strcmp(kv[2 * nl - 1], "a") == 0)
		l[nl - 1].value_len = 3, l[nl - 1].value = "a\0b";
	m.labels = l;
	m.nlabels = nl;
	buf_addch(&b, '\0');
	buf_reset(&b);
	render_series(&b, &m);
	buf_addch(&b, '\0');
	is_str(b.p, want, "series %s", want);
	buf_release(&b);
}

int
main(void)
{
	static const char *const one[] = { "job", "api" };
	static const char *const two[] = { "job", "a\"p\\i\n", "z", "a" };
	static const char *const heads[3] = { "SERIES", "TIME", "VALUE" };
	struct render_table t;
	struct buf b = BUF_INIT;

	series_is("up", NULL, 0, "up");
	series_is("up", one, 1, "up{job=\"api\"}");
	series_is("api.latency", one, 1, "{\"api.latency\",job=\"api\"}");
	series_is("", one, 1, "{job=\"api\"}");
	series_is("", NULL, 0, "{}");
	series_is("x", two, 2, "x{job=\"a\\\"p\\\\i\\n\",z=\"a\\x00b\"}");

	render_csv_field(&b, "plain", 5);
	buf_addch(&b, '|');
	render_csv_field(&b, "a,b", 3);
	buf_addch(&b, '|');
	render_csv_field(&b, "say \"hi\"", 8);
	buf_addch(&b, '\0');
	is_str(b.p, "plain|\"a,b\"|\"say \"\"hi\"\"\"", "CSV fields quoted when they must be");
	buf_reset(&b);

	is_int((int)render_width("abc", 3), 3, "ASCII: a column a byte");
	is_int((int)render_width("caf\xc3\xa9", 5), 4, "é: two bytes, one column");
	is_int((int)render_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4, "日本: two wide characters");
	is_int((int)render_width("e\xcc\x81", 3), 1, "e and a combining accent: one column");
	is_int((int)render_width("\xff" "a", 2), 2, "a byte that is not UTF-8 counts one");
	is_int((int)render_width("\xe6\x97", 2), 2, "a sequence cut short: a column a byte");
	is_int((int)render_width("\xf0\x9f\x98\x80", 4), 2, "an emoji: two columns");

	render_table_init(&t, 3, 1u << 2, heads);
	render_table_cell(&t, "caf\xc3\xa9", 5);
	render_table_cell(&t, "t1", 2);
	render_table_cell(&t, "1", 1);
	render_table_cell(&t, "\xe6\x97\xa5", 3);
	render_table_cell(&t, "t2", 2);
	render_table_cell(&t, "22.5", 4);
	is_int((int)render_table_rows(&t), 2, "two rows");
	ok(render_table_write(&t, &b, NULL, NULL, NULL) == 0, "written");
	buf_addch(&b, '\0');
	is_str(b.p,
	    "SERIES  TIME  VALUE\n"
	    "caf\xc3\xa9    t1        1\n"
	    "\xe6\x97\xa5      t2     22.5\n",
	    "columns aligned by display width, VALUE to the right");
	buf_reset(&b);
	ok(render_table_write(&t, &b, NULL, NULL, NULL) == 0 && b.len == 0,
	    "written once: no rows, no header");
	render_table_release(&t);
	buf_release(&b);
	return done_testing();
}
