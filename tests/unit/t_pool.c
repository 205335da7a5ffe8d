/* t_pool.c - query inputs for requests at once: the bound, reuse, tenants */
/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/timestamp.h"
#include "serve/pool.h"
#include "store/store.h"
#include "tap.h"

static char dir[] = "/tmp/t_pool.XXXXXX";

/* A sample of x{tenant="t"} at 'ts' into 'w'. */
static int
add(struct store_writer *w, const char *t, int64_t ts)
{
	struct errbuf eb = ERRBUF_INIT;
	struct label l = { "tenant", t, 6, (uint32_t)strlen(t) };
	struct sample s = { .name = "x", .name_len = 1, .type = METRIC_GAUGE,
		.has_ts = 1, .value = 1, .ts = ts, .labels = &l, .nlabels = 1 };

	return store_writer_add(w, &s, &eb);
}

/* The series an input's store gives for every selection. */
static long
count_series(struct query_input *in)
{
	struct errbuf eb = ERRBUF_INIT;
	struct store_reader *r = store_reader_open(in->st, STORE_TIER_RAW, 0,
	    INT64_MAX, &eb);
	struct store_iter *it;
	struct store_series ss;
	long n = 0;

	if (r == NULL)
		return -1;
	it = store_select(r, NULL, 0, &eb);
	while (store_iter_next(it, &ss, &eb) == 1)
		n++;
	store_iter_free(it);
	store_reader_close(r);
	return n;
}

/* A request that waits for an input: 'started' once it asks. */
struct waiter {
	struct pool *p;
	struct query_input *in;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int started;
};

static void *
wait_take(void *arg)
{
	struct waiter *w = arg;
	struct errbuf eb = ERRBUF_INIT;

	pthread_mutex_lock(&w->lock);
	w->started = 1;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	w->in = pool_take(w->p, 0, &eb);
	return NULL;
}

int
main(void)
{
	static const char tokens[] =
	    "a aaaaaaaaaaaaaaaaaaaa\nb bbbbbbbbbbbbbbbbbbbb\n";
	struct store_writer_opts wo = STORE_WRITER_OPTS_INIT;
	struct query_input_opts qo = { NULL, NULL, NULL, 0, NULL, NULL };
	struct errbuf eb = ERRBUF_INIT;
	struct store_writer *sw;
	struct store *st;
	struct pool *p;
	struct auth *auth;
	struct query_input *in1, *in2, *in3;
	struct waiter w;
	pthread_t th;
	uint64_t bad = 0;
	int64_t now = ts_now();

	if (mkdtemp(dir) == NULL)
		return 1;
	qo.dir = "/nonexistent/store";
	ok(pool_new(&qo, NULL, 2, NULL, &bad, &eb) == NULL && strstr(eb.msg,
	    "/nonexistent/store"), "no store: told at once: %s", eb.msg);
	eb = (struct errbuf)ERRBUF_INIT;

	st = store_open(dir, 1, &eb);
	sw = store_writer_open(st, &wo, &eb);
	ok(sw && add(sw, "a", now) == 0 && add(sw, "b", now) == 0 &&
	    store_writer_close(sw, &eb) == 0, "two tenants' series: %s",
	    eb.msg);
	store_close(st);

	qo.dir = dir;
	p = pool_new(&qo, NULL, 2, NULL, &bad, &eb);
	ok(p != NULL, "a pool of 2: %s", eb.msg);
	in1 = pool_take(p, 0, &eb);
	in2 = pool_take(p, 0, &eb);
	ok(in1 && in2 && in1 != in2 && in1->st != in2->st,
	    "two requests, two inputs, two store handles");
	is_int(count_series(in1), 2, "no tenant: every series");

	/* A third waits until one is given back, then gets that one. */
	memset(&w, 0, sizeof(w));
	w.p = p;
	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	pthread_create(&th, NULL, wait_take, &w);
	pthread_mutex_lock(&w.lock);
	while (!w.started)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	usleep(50000);
	ok(w.in == NULL, "a third request waits while two are in use");
	pool_give(p, 0, in2);
	pthread_join(th, NULL);
	ok(w.in == in2, "...and gets the input given back, not a new one");
	pool_give(p, 0, in1);
	pool_give(p, 0, w.in);
	pthread_cond_destroy(&w.cond);
	pthread_mutex_destroy(&w.lock);
	pool_free(p);

	/* Tenants: each set restricted to its own, opened when asked. */
	auth = auth_parse(tokens, sizeof(tokens) - 1, "tokens", &eb);
	ok(auth != NULL, "tokens: %s", eb.msg);
	p = pool_new(&qo, auth, 4, NULL, &bad, &eb);
	ok(p != NULL, "a pool of tenants: %s", eb.msg);
	in1 = pool_take(p, 0, &eb);
	in2 = pool_take(p, 1, &eb);
	is_int(count_series(in1), 1, "tenant a: its series only");
	is_int(count_series(in2), 1, "tenant b: its series only");
	pool_give(p, 1, in2);
	in3 = pool_take(p, 1, &eb);
	ok(in3 == in2, "tenant b's input again, not a's");
	pool_give(p, 0, in1);
	pool_give(p, 1, in3);
	pool_free(p);

	qo.tenant = "a";
	ok(pool_new(&qo, auth, 4, NULL, &bad, &eb) == NULL &&
	    strstr(eb.msg, "not with"), "tokens and a tenant: refused");
	qo.tenant = NULL;
	qo.file = "/dev/null";
	ok(pool_new(&qo, auth, 4, NULL, &bad, &eb) == NULL &&
	    strstr(eb.msg, "not with"), "tokens and a stream: refused");
	auth_free(auth);

	{
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return done_testing();
}
