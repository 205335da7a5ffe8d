/* t_ingest.c - the shared ingest loop: reports, caps, strict, a sink */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "stream/ingest.h"
#include "tap.h"

/* A sink that refuses samples whose value is negative. */
struct fake {
	int taken, commits, bad;
};

static int
fake_add(void *ctx, const struct sample *s, struct errbuf *eb)
{
	struct fake *f = ctx;

	if (s->value < 0)
		return errbuf_set(eb, "negative"), 1;
	f->taken++;
	return 0;
}

static int
fake_commit(void *ctx, struct errbuf *eb)
{
	struct fake *f = ctx;

	(void)eb;
	f->commits++;
	return 0;
}

static void
fake_bad(void *ctx)
{
	((struct fake *)ctx)->bad++;
}

static void
collect(void *arg, const char *msg)
{
	struct buf *b = arg;

	buf_adds(b, msg);
	buf_addch(b, '\n');
}

static char *
file_of(const char *text)
{
	static char path[64];
	FILE *fp;

	snprintf(path, sizeof(path), "/tmp/t_ingest.%d", (int)getpid());
	if ((fp = fopen(path, "w")) == NULL)
		return NULL;
	fputs(text, fp);
	fclose(fp);
	return path;
}

/* Lines: 'n' samples of value 'v', "x" repeated. */
static void
lines(struct buf *b, int n, const char *v)
{
	int i;

	for (i = 0; i < n; i++)
		buf_addf(b, "{\"name\":\"x\",\"value\":%s,\"ts\":%d}\n", v, i + 1);
}

int
main(void)
{
	struct fake f = { 0, 0, 0 };
	struct ingest_sink sink = { fake_add, fake_commit, NULL, fake_bad, &f };
	struct ingest_opts o = { 0, 0, NULL, collect, NULL, INGEST_JSONL };
	struct errbuf eb = ERRBUF_INIT;
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct ingest ig;
	char *path;

	o.warn_arg = &out;
	lines(&in, 3, "1");
	buf_adds(&in, "not json\n");
	lines(&in, 2, "-1");
	path = file_of(in.p);
	ingest_init(&ig, &o);
	ok(ingest_file(&ig, path, &sink, &eb) == 0, "read: %s", eb.msg);
	is_int(f.taken, 3, "good samples taken");
	is_int((int)ig.bad, 1, "one bad line");
	is_int(f.bad, 1, "the sink told of it");
	is_int((int)ig.refused, 2, "two refused");
	ok(f.commits >= 1, "committed at the end of input");
	ok(strstr(out.p, ":4: invalid JSON") != NULL, "the bad line located");
	ok(strstr(out.p, ":5: negative\n") && strstr(out.p, ":6: negative\n"),
	    "refusals located");
	ok(ingest_troubled(&ig), "troubled");
	buf_reset(&out);
	ingest_summary(&ig);
	is_str(out.p, "1 bad line, 2 samples rejected\n", "the summary");
	ingest_release(&ig);

	/* A flood of the same reason: ten lines, then a count. */
	buf_reset(&in);
	buf_reset(&out);
	lines(&in, 25, "-5");
	path = file_of(in.p);
	ingest_init(&ig, &o);
	ingest_file(&ig, path, &sink, &eb);
	{
		int n = 0;
		const char *p;
		for (p = out.p; (p = strstr(p, "negative")) != NULL; p++)
			n++;
		is_int(n, INGEST_REPEATS, "the reason printed %d times", n);
	}
	buf_reset(&out);
	ingest_summary(&ig);
	is_str(out.p, "15 more lines not shown: negative\n"
	    "0 bad lines, 25 samples rejected\n", "then counted");
	ingest_release(&ig);

	/* Strict: the first refusal ends it. */
	buf_reset(&in);
	buf_reset(&out);
	lines(&in, 2, "1");
	lines(&in, 1, "-1");
	lines(&in, 2, "1");
	path = file_of(in.p);
	o.strict = 1;
	f.taken = 0;
	ingest_init(&ig, &o);
	ingest_file(&ig, path, &sink, &eb);
	is_int(f.taken, 2, "strict: nothing after the refusal");
	ok(ig.stopped, "strict: stopped");
	ok(ingest_file(&ig, path, &sink, &eb) == 0 && f.taken == 2,
	    "strict: the next input is not read");
	ingest_release(&ig);

	/* An input that cannot be opened is said, counted, and passed. */
	o.strict = 0;
	buf_reset(&out);
	ingest_init(&ig, &o);
	ok(ingest_file(&ig, "/nonexistent/in.jsonl", &sink, &eb) == 0,
	    "a missing input is no failure of the loop");
	is_int((int)ig.failed_inputs, 1, "but counted");
	ok(strstr(out.p, "/nonexistent/in.jsonl") != NULL, "and named");
	ingest_release(&ig);

	unlink(path);
	buf_release(&in);
	buf_release(&out);
	return done_testing();
}
