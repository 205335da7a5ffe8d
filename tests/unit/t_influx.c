/* t_influx.c - InfluxDB's line protocol, read into samples */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/influx.h"
#include "stream/jsonl.h"
#include "tap.h"

/* A line, and what it gives: stream lines (no time: 0), or "!reason". */
static const struct {
	const char *precision, *in, *want;
} cases[] = {
	{ "n", "cpu,host=a,region=eu\\ west idle=92.5,user=3i,up=true,"
	  "msg=\"hi, there\" 1700000000000000000",
	  "{\"name\":\"cpu_idle\",\"type\":\"gauge\",\"value\":92.5,"
	  "\"ts\":1700000000000,\"labels\":{\"host\":\"a\",\"region\":\"eu west\"}}\n"
	  "{\"name\":\"cpu_user\",\"type\":\"gauge\",\"value\":3,"
	  "\"ts\":1700000000000,\"labels\":{\"host\":\"a\",\"region\":\"eu west\"}}\n"
	  "{\"name\":\"cpu_up\",\"type\":\"gauge\",\"value\":1,"
	  "\"ts\":1700000000000,\"labels\":{\"host\":\"a\",\"region\":\"eu west\"}}\n" },
	{ "s", "disk.io,dev=sda read=7u,f=F 1700000000",
	  "{\"name\":\"disk_io_read\",\"type\":\"gauge\",\"value\":7,"
	  "\"ts\":1700000000000,\"labels\":{\"dev\":\"sda\"}}\n"
	  "{\"name\":\"disk_io_f\",\"type\":\"gauge\",\"value\":0,"
	  "\"ts\":1700000000000,\"labels\":{\"dev\":\"sda\"}}\n" },
	{ "n", "m v=-1 -1500000", "{\"name\":\"m_v\",\"type\":\"gauge\","
	  "\"value\":-1,\"ts\":-2}\n" },
	{ "n", "m,t\\=1=a\\,b v=1", "{\"name\":\"m_v\",\"type\":\"gauge\","
	  "\"value\":1,\"ts\":0,\"labels\":{\"t_1\":\"a,b\"}}\n" },
	{ "n", "# a comment", "" },
	{ "n", "m s=\"only strings\"", "" },
	{ "n", "m", "!no fields\n" },
	{ "n", "m v", "!a field without '='\n" },
	{ "n", "m v=NaN", "!a field value that is not one\n" },
	{ "n", "m v=1x", "!a field value that is not one\n" },
	{ "n", "m v=-1u", "!a field value that is not one\n" },
	{ "n", "m v=1 12x", "!a timestamp that is not one\n" },
	{ "h", "m v=1 999999999", "!a timestamp not in years 1 to 9999\n" },
	{ "n", "m,a=1,a=2 v=1", "!duplicate label 'a'\n" },
};

int
main(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct influx_parser *p = influx_parser_new();
		struct errbuf eb = ERRBUF_INIT;
		struct buf out = BUF_INIT;
		struct sample s;
		int k;
		ok(influx_set_precision(p, cases[i].precision) == 0, "precision");
		k = influx_parse(p, cases[i].in, strlen(cases[i].in), &s, &eb);
		if (k == -1)
			buf_addf(&out, "!%s\n", eb.msg);
		while (k >= 1) {
			if (!s.has_ts) {
				s.has_ts = 1;
				s.ts = 0;
			}
			jsonl_format(&out, &s);
			if (!influx_next(p, &s))
				break;
		}
		is_str(out.p ? out.p : "", cases[i].want, "case %zu: %s", i,
		    cases[i].in);
		buf_release(&out);
		influx_parser_free(p);
	}
	{
		struct influx_parser *p = influx_parser_new();
		ok(influx_set_precision(p, "d") == -1, "no day precision");
		influx_parser_free(p);
	}
	return done_testing();
}
