/* mpush.c - send a stream, or one sample, to a listener or another engine */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/cli.h"
#include "base/number.h"
#include "base/proc.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "send/dest.h"
#include "send/journal.h"
#include "send/once.h"
#include "send/sender.h"
#include "stream/ingest.h"
#include "stream/jsonl.h"
#include "stream/metric.h"

enum {
	OPT_BATCH = CLI_LONG, OPT_LINGER, OPT_SPOOL, OPT_SPOOL_MAX,
	OPT_SPOOL_STATUS, OPT_TIMEOUT, OPT_RETRY_MAX, OPT_MTU, OPT_DOTTED,
	OPT_STRICT, OPT_TOKEN_FILE, OPT_JOB, OPT_DRAIN, OPT_USER,
	OPT_PASSWORD_FILE, OPT_CA_FILE, OPT_CERT_FILE, OPT_KEY_FILE,
	OPT_SERVER_NAME, OPT_INSECURE
};

static const struct cli_option options[] = {
	{ "label", 'l', "name=value", NULL,
	    "label every sample; an empty VALUE removes" },
	{ "to", 't', "url", NULL,
	    "send to URL (default $MTK_PUSH_URL; none: standard output)" },
	{ "batch", OPT_BATCH, "count", NULL,
	    "samples in a batch (1000)" },
	{ "linger", OPT_LINGER, "duration", NULL,
	    "send a batch once its first sample waited DURATION (1s)" },
	{ "timeout", OPT_TIMEOUT, "duration", NULL,
	    "give up an attempt after DURATION (10s)" },
	{ "retry-max", OPT_RETRY_MAX, "duration", NULL,
	    "wait at most DURATION between attempts (60s)" },
	{ "drain", OPT_DRAIN, "duration", NULL,
	    "at the end, wait up to DURATION for a destination that\n"
	    "said when to come back (30s)" },
	{ "spool", OPT_SPOOL, "dir", NULL,
	    "keep what is not delivered in DIR (default under\n"
	    "$XDG_STATE_HOME/mtk/spool/, one for each URL)" },
	{ "spool-max", OPT_SPOOL_MAX, "bytes", NULL,
	    "past BYTES in the spool, drop the oldest (1073741824)" },
	{ "spool-status", OPT_SPOOL_STATUS, NULL, NULL,
	    "say what the spool of URL holds, and exit" },
	{ "mtu", OPT_MTU, "bytes", NULL,
	    "StatsD datagrams of at most BYTES (1432)" },
	{ "graphite-dotted", OPT_DOTTED, NULL, NULL,
	    "Graphite names without tags: name.value1.value2" },
	{ "bearer-token-file", OPT_TOKEN_FILE, "file", NULL,
	    "send the token in FILE (Authorization: Bearer)" },
	{ "user", OPT_USER, "name", NULL,
	    "basic auth as NAME" },
	{ "password-file", OPT_PASSWORD_FILE, "file", NULL,
	    "basic auth's password, from FILE" },
	{ "ca-file", OPT_CA_FILE, "file", NULL,
	    "trust only the CA certificates in FILE (https)" },
	{ "cert-file", OPT_CERT_FILE, "file", NULL,
	    "the client certificate in FILE (with --key-file)" },
	{ "key-file", OPT_KEY_FILE, "file", NULL,
	    "the client certificate's key, in FILE" },
	{ "server-name", OPT_SERVER_NAME, "name", NULL,
	    "the name the destination's certificate must have" },
	{ "insecure-skip-verify", OPT_INSECURE, NULL, NULL,
	    "accept any certificate for any name" },
	{ "strict", OPT_STRICT, NULL, NULL,
	    "stop at the first bad record" },
	{ "job", OPT_JOB, "name", NULL,
	    "with wrap: the job label (default: the command's name)" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cli_command commands[] = {
	{ "counter", "to label timeout spool bearer-token-file user "
	    "password-file ca-file cert-file key-file server-name "
	    "insecure-skip-verify mtu "
	    "graphite-dotted", "name value [name=value ...]" },
	{ "gauge", "to label timeout spool bearer-token-file user "
	    "password-file ca-file cert-file key-file server-name "
	    "insecure-skip-verify mtu "
	    "graphite-dotted", "name value [name=value ...]" },
	{ "histogram", "to label timeout spool bearer-token-file user "
	    "password-file ca-file cert-file key-file server-name "
	    "insecure-skip-verify mtu "
	    "graphite-dotted", "name value [name=value ...]" },
	{ "timing", "to label timeout spool bearer-token-file user "
	    "password-file ca-file cert-file key-file server-name "
	    "insecure-skip-verify mtu "
	    "graphite-dotted", "name milliseconds [name=value ...]" },
	{ "wrap", "to label job timeout spool bearer-token-file user "
	    "password-file ca-file cert-file key-file server-name "
	    "insecure-skip-verify",
	    "command [arg ...]" },
	{ NULL, NULL, NULL }
};

/* A stream on standard input, without a command. */
static const struct cli_program program = { options,
	{ NULL, "to label batch linger timeout retry-max drain spool spool-max "
	    "user password-file ca-file cert-file key-file server-name "
	    "insecure-skip-verify "
	    "spool-status mtu graphite-dotted bearer-token-file strict", NULL },
	commands, 0 };

/* Set by SIGINT and SIGTERM: send or spool what was read, then exit. */
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* What the command line asked. */
struct push_args {
	const char *url, *spool, *token_file;
	const char *user, *password_file;
	char *password;
	struct http_tls tls;
	size_t batch, mtu;
	int64_t linger_ms, timeout_ms, retry_max_ms, drain_ms;
	uint64_t spool_max;
	int dotted, strict, status;
	const char **labels;
	size_t nlabels;
	const char *job;
};

/* The spool of 'url' under the state directory. */
static char *
default_spool(const char *url)
{
	char rel[JOURNAL_NAME_MAX + 8];

	snprintf(rel, sizeof(rel), "spool/");
	journal_name_for(url, rel + 6, sizeof(rel) - 6);
	return cli_state_path(rel);
}

static struct dest *
open_dest(const struct push_args *a, const char *token, int one_shot)
{
	struct errbuf eb = ERRBUF_INIT;
	struct dest_opts o = { a->url, a->timeout_ms, a->mtu, a->dotted, token,
		a->user, a->password, &a->tls, one_shot };
	struct dest *d = dest_open(&o, &eb);

	if (d == NULL)
		errx(CLI_EXIT_USAGE, "%s", eb.msg);
	return d;
}

static int
spool_status(const char *dir)
{
	struct journal_status st;
	struct errbuf eb = ERRBUF_INIT;

	if (journal_status(dir, &st, &eb) == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	printf("spool %s\nbatches %zu\nsamples %llu\nbytes %llu\n", dir,
	    st.batches, (unsigned long long)st.lines,
	    (unsigned long long)st.bytes);
	if (st.oldest) {
		char when[64];
		ts_format_rfc3339(when, st.oldest);
		printf("oldest %s\n", when);
	}
	if (st.sender)
		printf("sender %ld\n", st.sender);
	return CLI_EXIT_OK;
}

/*
 * A stream: standard input into the journal, batches to the
 * destination.  Exit 0 when everything read was delivered or is kept in
 * the spool for the next mpush; 1 for bad records, rejected batches, or
 * a spool that failed.
 */
static int
push_stream(const struct push_args *a, const char *token)
{
	struct ingest_opts io = { a->strict, 0, &stop, cli_warn, NULL,
		INGEST_JSONL };
	struct label l[METRIC_LABELS_MAX];
	struct sender_opts so = { a->batch, a->linger_ms, 500, a->retry_max_ms,
		l, 0, cli_warn, NULL };
	struct errbuf eb = ERRBUF_INIT;
	struct ingest_sink sink;
	struct ingest in;
	struct journal *j;
	struct sender *s;
	struct dest *d;
	const struct sender_stats *st;
	long left;
	int rc = CLI_EXIT_OK;

	so.nlabels = metric_labels_from_pairs(a->labels, a->nlabels, l,
	    METRIC_LABELS_MAX);
	d = open_dest(a, token, 0);
	if ((j = journal_open(a->spool, a->spool_max, &eb)) == NULL)
		errx(strstr(eb.msg, "another mpush") ? CLI_EXIT_BUSY :
		    CLI_EXIT_FAIL, "%s", eb.msg);
	s = sender_new(&so, d, j);
	sender_sink(s, &sink);
	cli_catch_stop(on_signal, NULL);
	ingest_init(&in, &io);
	if (ingest_file(&in, "-", &sink, &eb) == -1) {
		warnx("%s", eb.msg);
		rc = CLI_EXIT_FAIL;
	}
	ingest_summary(&in);
	if (ingest_troubled(&in))
		rc = CLI_EXIT_FAIL;
	if ((left = sender_finish(s, a->drain_ms, &eb)) == -1) {
		warnx("%s", eb.msg);
		rc = CLI_EXIT_FAIL;
	} else if (left > 0) {
		warnx("%ld batch%s kept in %s for the next mpush to %s", left,
		    left == 1 ? "" : "es", a->spool, dest_name(d));
	}
	st = sender_stats(s);
	if (st->rejected_batches)
		rc = CLI_EXIT_FAIL;
	if (journal_dropped(j))
		warnx("%llu samples dropped from the spool past --spool-max",
		    (unsigned long long)journal_dropped(j));
	if (journal_close(j, &eb) == -1) {
		warnx("%s", eb.msg);
		rc = CLI_EXIT_FAIL;
	}
	sender_free(s);
	dest_close(d);
	ingest_release(&in);
	metric_labels_free_names(l, so.nlabels);
	return rc;
}

/* Send 'lines' now, or spool them: said either way; the exit status. */
static int
send_once(const struct push_args *a, const char *token, const struct buf *lines,
    int64_t now, int statsd)
{
	struct errbuf eb = ERRBUF_INIT;
	struct dest_opts o = { a->url, a->timeout_ms, a->mtu, a->dotted, token,
		a->user, a->password, &a->tls, 1 };
	int rc = once_send(&o, a->spool, lines->p, lines->len, now, statsd,
	    &eb);

	if (rc != 0)
		warnx("%s", eb.msg);
	return rc == -1 ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

/*
 * One sample of a command: its line on standard output, or sent at once
 * (spooled when it cannot be); a counter is an increment, sent to what
 * adds it up.
 */
static int
push_one(const struct push_args *a, const char *token, const char *kind,
    int argc, char *argv[])
{
	struct errbuf eb = ERRBUF_INIT;
	struct buf line = BUF_INIT;
	int64_t now = ts_now();
	int statsd, rc;

	if (argc < 2)
		errx(CLI_EXIT_USAGE, "%s: a name and a value are needed", kind);
	if (once_line(kind, argv[0], argv[1], argv + 2, (size_t)argc - 2,
	    a->labels, a->nlabels, now, &line, &statsd, &eb) == -1)
		errx(CLI_EXIT_USAGE, "%s", eb.msg);
	if (a->url == NULL && statsd)
		errx(CLI_EXIT_USAGE, "counter: an increment needs a destination "
		    "that adds it up: --to statsd://HOST:PORT or an mtk listener");
	if (a->url == NULL) {
		fwrite(line.p, 1, line.len, stdout);
		buf_release(&line);
		return CLI_EXIT_OK;
	}
	rc = send_once(a, token, &line, now, statsd);
	buf_release(&line);
	return rc;
}

/*
 * 'mpush wrap CMD': run CMD as the shell would, then send how it went;
 * exit as CMD did, so that cron still sees a failure.
 */
static int
wrap(const struct push_args *a, const char *token, int argc, char *argv[])
{
	struct errbuf eb = ERRBUF_INIT;
	struct proc_result r;
	struct buf lines = BUF_INIT;
	const char *job;
	int64_t end;
	int code, rc;

	if (argc < 1)
		errx(CLI_EXIT_USAGE, "wrap: a command is needed");
	if (a->url == NULL)
		errx(CLI_EXIT_USAGE, "wrap: where to? --to URL (or MTK_PUSH_URL)");
	job = a->job ? a->job : strrchr(argv[0], '/') ? strrchr(argv[0], '/') +
	    1 : argv[0];
	if (proc_wrap(argv, &r, &eb) == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	end = ts_now();
	code = r.exited ? r.status : 128 + r.status;
	if (once_wrap_lines(job, &r, end, a->labels, a->nlabels, &lines,
	    &eb) == -1) {
		warnx("wrap: %s", eb.msg);
		rc = CLI_EXIT_FAIL;
	} else {
		rc = send_once(a, token, &lines, end, 0);
	}
	buf_release(&lines);
	return code == 0 ? rc : code;
}

int
main(int argc, char *argv[])
{
	struct push_args a;
	struct cli cli;
	const char *cmd;
	char *spool = NULL, *token = NULL;
	int key, rc;

	memset(&a, 0, sizeof(a));
	a.batch = 1000;
	a.mtu = 1432;
	a.linger_ms = 1000;
	a.timeout_ms = 10000;
	a.retry_max_ms = 60000;
	a.drain_ms = 30000;
	a.spool_max = 1ULL << 30;
	cli_start(&cli, &program, argc, argv);
	a.labels = xcalloc((size_t)argc, sizeof(*a.labels));
	while ((key = cli_next(&cli)) != -1) {
		switch (key) {
		case 'l':
			if (strchr(cli.arg, '=') == NULL || cli.arg[0] == '=')
				cli_usage_error(&cli, "-l: '%s': not NAME=VALUE",
				    cli.arg);
			if (a.nlabels == METRIC_LABELS_MAX)
				cli_usage_error(&cli, "-l: more than %d labels",
				    METRIC_LABELS_MAX);
			a.labels[a.nlabels++] = cli.arg;
			break;
		case 't': a.url = cli.arg; break;
		case OPT_BATCH:
			a.batch = (size_t)cli_count(&cli, key, cli.arg);
			if (a.batch == 0)
				cli_usage_error(&cli, "--batch: at least 1");
			break;
		case OPT_LINGER: a.linger_ms = cli_duration(&cli, key, cli.arg); break;
		case OPT_TIMEOUT: a.timeout_ms = cli_duration(&cli, key, cli.arg); break;
		case OPT_DRAIN: a.drain_ms = cli_duration(&cli, key, cli.arg); break;
		case OPT_RETRY_MAX:
			a.retry_max_ms = cli_duration(&cli, key, cli.arg);
			break;
		case OPT_SPOOL: a.spool = cli.arg; break;
		case OPT_SPOOL_MAX: a.spool_max = cli_count(&cli, key, cli.arg); break;
		case OPT_SPOOL_STATUS: a.status = 1; break;
		case OPT_MTU:
			a.mtu = (size_t)cli_count(&cli, key, cli.arg);
			if (a.mtu < 64 || a.mtu > 65000)
				cli_usage_error(&cli, "--mtu: 64 to 65000 bytes");
			break;
		case OPT_DOTTED: a.dotted = 1; break;
		case OPT_STRICT: a.strict = 1; break;
		case OPT_TOKEN_FILE: a.token_file = cli.arg; break;
		case OPT_JOB: a.job = cli.arg; break;
		case OPT_USER: a.user = cli.arg; break;
		case OPT_PASSWORD_FILE: a.password_file = cli.arg; break;
		case OPT_CA_FILE: a.tls.ca_file = cli.arg; break;
		case OPT_CERT_FILE: a.tls.cert_file = cli.arg; break;
		case OPT_KEY_FILE: a.tls.key_file = cli.arg; break;
		case OPT_SERVER_NAME: a.tls.server_name = cli.arg; break;
		case OPT_INSECURE: a.tls.insecure_skip_verify = 1; break;
		}
	}
	cmd = cli_operands(&cli, &argc, &argv);
	if (a.url == NULL && getenv("MTK_PUSH_URL") && *getenv("MTK_PUSH_URL"))
		a.url = getenv("MTK_PUSH_URL");
	if (cmd == NULL && a.url == NULL)
		cli_usage_error(&cli, "where to? --to URL (or MTK_PUSH_URL)");
	if (a.url && a.spool == NULL)
		a.spool = spool = default_spool(a.url);
	if (a.status) {
		rc = spool_status(a.spool);
		free(spool);
		free(a.labels);
		return cli_finish(rc);
	}
	if ((a.tls.cert_file == NULL) != (a.tls.key_file == NULL))
		cli_usage_error(&cli, "--cert-file and --key-file go together");
	if (a.password_file && a.user == NULL)
		cli_usage_error(&cli, "--password-file goes with --user");
	if (a.token_file)
		token = cli_read_secret(a.token_file);
	if (a.password_file)
		a.password = cli_read_secret(a.password_file);
	if (cmd && strcmp(cmd, "wrap") == 0)
		rc = wrap(&a, token, argc, argv);
	else if (cmd)
		rc = push_one(&a, token, cmd, argc, argv);
	else
		rc = push_stream(&a, token);
	if (token)
		explicit_bzero(token, strlen(token));
	free(token);
	if (a.password)
		explicit_bzero(a.password, strlen(a.password));
	free(a.password);
	free(spool);
	free(a.labels);
	return cli_finish(rc);
}
