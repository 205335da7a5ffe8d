/* t_journal.c - mpush's journal: order, recovery, limits, puts; HTTP answers */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/post.h"
#include "send/journal.h"
#include "tap.h"

static char dir[256];

/* The lines of the oldest ready batch, or "" when none is. */
static const char *
oldest(struct journal *j, struct buf *b, char *name)
{
	struct errbuf eb = ERRBUF_INIT;
	int got = journal_oldest(j, b, name, &eb);

	if (got != 1)
		return "";
	return b->p;
}

static void
test_order_and_recovery(void)
{
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	char name[64];
	struct journal *j = journal_open(dir, 0, &eb), *j2;
	struct journal_status st;

	ok(j != NULL, "open: %s", eb.msg);
	j2 = journal_open(dir, 0, &eb);
	ok(j2 == NULL, "a second sender is refused");
	ok(strstr(eb.msg, "another mpush sends from") != NULL, "and told: %s",
	    eb.msg);
	is_int(journal_ready(j), 0, "nothing ready at first");
	journal_add(j, "a1", 2, 1000, &eb);
	journal_add(j, "a2", 2, 1001, &eb);
	is_int(journal_open_lines(j), 2, "two lines open");
	is_int(journal_open_since(j), 1000, "since the first");
	is_str(oldest(j, &b, name), "", "an open batch is not ready");
	journal_cut(j, &eb);
	journal_add(j, "b1", 2, 2000, &eb);
	journal_cut(j, &eb);
	journal_add(j, "c1", 2, 3000, &eb);
	journal_flush(j, &eb);
	is_int(journal_ready(j), 2, "two batches ready");
	is_str(oldest(j, &b, name), "a1\na2\n", "the oldest first");
	journal_done(j, name, &eb);
	is_str(oldest(j, &b, name), "b1\n", "then the next");
	ok(journal_put(dir, "p1\n", 3, 2500, 0, &eb) == 0, "a put beside");
	ok(journal_put(dir, "s:1|c\n", 6, 2600, 1, &eb) == 0, "a StatsD put");
	journal_done(j, name, &eb);
	is_str(oldest(j, &b, name), "p1\n", "the put, in time order");
	journal_done(j, name, &eb);
	is_str(oldest(j, &b, name), "s:1|c\n", "the StatsD put");
	ok(strstr(name, ".statsd") != NULL, "named so: %s", name);
	journal_done(j, name, &eb);
	/* A sender killed with its batch open: the next sends it. */
	journal_status(dir, &st, &eb);
	is_int(st.batches, 1, "status: the open batch");
	is_int(st.lines, 1, "status: its line");
	is_int(st.sender, (long)getpid(), "status: the sender");
	free(b.p);
	b = (struct buf)BUF_INIT;
	/*
	 * The sender goes without cutting its batch, as a killed one does
	 * (closing writes what it gathered, and unlocks).
	 */
	journal_close(j, &eb);
	j = journal_open(dir, 0, &eb);
	ok(j != NULL, "the next sender opens");
	is_str(oldest(j, &b, name), "c1\n", "and finds the open batch ready");
	journal_done(j, name, &eb);
	is_str(oldest(j, &b, name), "", "then nothing");
	journal_close(j, &eb);
	buf_release(&b);
}

static void
test_limit(void)
{
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	char name[64], line[200];
	struct journal *j;
	int i;

	snprintf(line, sizeof(line), "%s/limit", dir);
	j = journal_open(line, 1000, &eb);
	memset(line, 'x', 99);
	for (i = 0; i < 30; i++) {
		journal_add(j, line, 99, 1000 + i, &eb);	/* 100 bytes */
		journal_cut(j, &eb);
	}
	ok(journal_bytes(j) <= 1000, "at most the limit: %llu",
	    (unsigned long long)journal_bytes(j));
	is_int(journal_dropped(j), 20, "the twenty oldest dropped");
	oldest(j, &b, name);
	ok(strncmp(name, "0000000001020-", 14) == 0, "the oldest left: %s",
	    name);
	journal_close(j, &eb);
	buf_release(&b);
}

static const struct {
	const char *in;
	int complete, status;
	long retry;
	const char *body;
} answers[] = {
	{ "HTTP/1.1 204 No Content\r\nDate: x\r\n\r\n", 0, 204, 0, "" },
	{ "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", 1, 204, 0, "" },
	{ "HTTP/1.1 429 Too Many\r\nretry-after:  7 \r\nContent-Length: 3"
	  "\r\n\r\nabc", 1, 429, 7, "abc" },
	{ "HTTP/1.1 400 Bad\r\nContent-Length: 10\r\n\r\nline 2", 0, 400, 0,
	  "line 2" },
	{ "HTTP/1.0 503 x\r\nRetry-After: Wed, 21 Oct 2015\r\n\r\n", 0, 503, 0,
	  "" },
	{ "HTTP/1.1 20", 0, -1, 0, NULL },
	{ "SSH-2.0-OpenSSH\r\n\r\n", 0, -1, 0, NULL },
	{ "HTTP/1.1 099 x\r\n\r\n", 0, -1, 0, NULL },
};

static void
test_answers(void)
{
	size_t i;

	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		struct post_answer a;
		const char *in = answers[i].in;
		int rc = post_answer_parse(in, strlen(in), &a);
		is_int(post_answer_complete(in, strlen(in)), answers[i].complete,
		    "answer %zu: complete or not", i);
		if (answers[i].status == -1) {
			ok(rc == -1, "answer %zu: not HTTP", i);
			continue;
		}
		is_int(a.status, answers[i].status, "answer %zu: status", i);
		is_int(a.retry_after_s, answers[i].retry, "answer %zu: retry", i);
		is_str(a.body.p ? a.body.p : "", answers[i].body,
		    "answer %zu: body", i);
		buf_release(&a.body);
	}
}

int
main(void)
{
	char cmd[300];

	snprintf(dir, sizeof(dir), "%s/t_journal.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_order_and_recovery();
	test_limit();
	test_answers();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
