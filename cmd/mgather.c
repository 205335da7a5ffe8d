/* mgather.c - write system metrics as a metric stream */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "collect/exec.h"
#include "collect/gather.h"
#include "collect/push.h"
#include "collect/scrape.h"
#include "collect/statsd.h"
#include "net/auth.h"
#include "net/httpd.h"
#include "net/listen.h"
#include "store/store.h"
#include "stream/expo.h"
#include "stream/ingest.h"
#include "stream/jsonl.h"
#include "stream/relabel.h"
#include "base/schedule.h"
#include "base/timestamp.h"
#include "base/xalloc.h"

enum {
	OPT_BEARER_FILE = CLI_LONG, OPT_FORMAT, OPT_FS_TIMEOUT, OPT_HONOR,
	OPT_JOB, OPT_PASSWORD_FILE, OPT_PROCESS, OPT_PROCFS, OPT_RATES,
	OPT_ROOTFS, OPT_SAMPLE_LIMIT, OPT_STRICT, OPT_SYSFS, OPT_TIMEOUT,
	OPT_USER, OPT_STATSD, OPT_FLUSH, OPT_TTL, OPT_HTTP, OPT_MAX_BODY,
	OPT_TARGETS, OPT_STORE, OPT_AUTH, OPT_RATE, OPT_BURST, OPT_FSYNC,
	OPT_RELABEL, OPT_CA_FILE, OPT_CERT_FILE, OPT_KEY_FILE, OPT_SERVER_NAME,
	OPT_INSECURE
};

/* The formats of 'mgather read' and 'mgather exec', for the completions. */
static const char *
format_word(size_t i)
{
	static const char *const words[] = { "prometheus", "openmetrics",
		"influx", "graphite", "csv", "auto", "stream", "nagios", NULL };

	return i < 8 ? words[i] : NULL;
}

/* The values of --collectors, for the completions. */
static const char *
collector_word(size_t i)
{
	return gather_collector_name((int)i);
}

static const struct cli_option options[] = {
	{ "collectors", 'C', "collector,...", collector_word,
	    "choose collectors: name, +name, -name (remove)" },
	{ "interval", 'i', "interval", NULL,
	    "a pass every INTERVAL (15s); default: once" },
	{ "list-collectors", 'L', NULL, NULL, "list the collectors and exit" },
	{ "label", 'l', "name=value", NULL,
	    "label every sample; an empty VALUE removes" },
	{ "count", 'n', "count", NULL, "stop after COUNT passes" },
	{ "pid", 'p', "pid", NULL, "report process PID (process collector)" },
	{ "fs-timeout", OPT_FS_TIMEOUT, "duration", NULL,
	    "give up on a statfs after DURATION (5s)" },
	{ "process", OPT_PROCESS, "name", NULL,
	    "report processes whose command name is NAME" },
	{ "procfs", OPT_PROCFS, "dir", NULL,
	    "read /proc from DIR (%p: the pass number)" },
	{ "rates", OPT_RATES, NULL, NULL,
	    "also write per-interval rates and percentages" },
	{ "rootfs", OPT_ROOTFS, "dir", NULL, "the mount points are under DIR" },
	{ "sysfs", OPT_SYSFS, "dir", NULL,
	    "read /sys from DIR (%p: the pass number)" },
	{ "format", OPT_FORMAT, "format", format_word,
	    "with read: prometheus, openmetrics, influx, graphite or csv;\n"
	    "with exec: auto, stream, prometheus or nagios" },
	{ "strict", OPT_STRICT, NULL, NULL,
	    "with read: stop at the first bad line" },
	{ "job", OPT_JOB, "name", NULL,
	    "with scrape: the job label (default scrape)" },
	{ "targets", OPT_TARGETS, "file", NULL,
	    "with scrape: targets in FILE (file_sd JSON or YAML), re-read" },
	{ "timeout", OPT_TIMEOUT, "duration", NULL,
	    "with scrape, exec: give up after DURATION (10s)" },
	{ "honor-labels", OPT_HONOR, NULL, NULL,
	    "with scrape: scraped labels win over the target's" },
	{ "sample-limit", OPT_SAMPLE_LIMIT, "count", NULL,
	    "with scrape: a target giving more samples fails" },
	{ "bearer-token-file", OPT_BEARER_FILE, "file", NULL,
	    "with scrape: send the token in FILE" },
	{ "user", OPT_USER, "name", NULL,
	    "with scrape: basic auth as NAME" },
	{ "password-file", OPT_PASSWORD_FILE, "file", NULL,
	    "with scrape: basic auth's password, from FILE" },
	{ "relabel", OPT_RELABEL, "file", NULL,
	    "with scrape: relabel samples by the metric_relabel_configs\n"
	    "rules in FILE (YAML or JSON)" },
	{ "ca-file", OPT_CA_FILE, "file", NULL,
	    "with scrape: trust only the CA certificates in FILE" },
	{ "cert-file", OPT_CERT_FILE, "file", NULL,
	    "with scrape: the client certificate in FILE (--key-file)" },
	{ "key-file", OPT_KEY_FILE, "file", NULL,
	    "with scrape: the client certificate's key, in FILE" },
	{ "server-name", OPT_SERVER_NAME, "name", NULL,
	    "with scrape: the name targets' certificates must have" },
	{ "insecure-skip-verify", OPT_INSECURE, NULL, NULL,
	    "with scrape: accept any certificate for any name" },
	{ "statsd", OPT_STATSD, "address", NULL,
	    "with listen: StatsD on ADDRESS (host:port), UDP and TCP" },
	{ "flush", OPT_FLUSH, "duration", NULL,
	    "with listen: write what was received every DURATION (10s)" },
	{ "ttl", OPT_TTL, "duration", NULL,
	    "with listen: a series not updated for DURATION expires (5m)" },
	{ "http", OPT_HTTP, "address", NULL,
	    "with listen: HTTP pushes on ADDRESS (host:port)" },
	{ "max-body", OPT_MAX_BODY, "bytes", NULL,
	    "with listen: the largest HTTP batch taken (10485760)" },
	{ "auth", OPT_AUTH, "file", NULL,
	    "with listen: HTTP pushes need a token of FILE, each\n"
	    "token's samples get its tenant= label" },
	{ "rate", OPT_RATE, "samples", NULL,
	    "with listen: a tenant's HTTP pushes get SAMPLES a second,\n"
	    "past them 429 (default: no limit)" },
	{ "burst", OPT_BURST, "samples", NULL,
	    "with listen: and SAMPLES at once (default: --rate's)" },
	{ "store", OPT_STORE, "dir", NULL,
	    "write into the store DIR instead of standard output\n"
	    "(listen: each batch synced before it is answered)" },
	{ "fsync", OPT_FSYNC, "mode", store_fsync_name,
	    "with --store: always (default: a batch, a pass, is on disk\n"
	    "when answered or done), batch (at most once a second), never" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cli_command commands[] = {
	{ "listen", "statsd http store fsync flush ttl max-body auth rate "
	    "burst label", NULL },
	{ "read", "format strict", "[file ...]" },
	{ "scrape", "interval count label job targets timeout honor-labels "
	    "sample-limit bearer-token-file user password-file relabel "
	    "ca-file cert-file key-file server-name insecure-skip-verify "
	    "store fsync", "[url ...]" },
	{ "exec", "interval count label timeout format store fsync",
	    "command [arg ...]" },
	{ NULL, NULL, NULL }
};

/* The system's metrics without a command; files of other formats with one. */
static const struct cli_program program = { options,
	{ NULL, "collectors interval list-collectors label count pid "
	    "fs-timeout process procfs rates rootfs sysfs store fsync", NULL },
	commands, 0 };

/* Set by SIGINT and SIGTERM: stop after the pass being written. */
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void __attribute__((noreturn))
list_collectors(void)
{
	int c;

	for (c = 0; gather_collector_name(c); c++)
		printf("%-11s %s\n", gather_collector_name(c),
		    gather_collector_desc(c));
	exit(cli_finish(CLI_EXIT_OK));
}

/*
 * 'mgather read': the exposition files (or standard input) as a stream,
 * through the ingest loop every reader shares.
 */
static int
read_files(enum ingest_format f, int strict, int argc, char *argv[])
{
	struct ingest_opts io = { strict, 0, &stop, cli_warn, NULL, f };
	struct errbuf eb = ERRBUF_INIT;
	struct jsonl_writer *w = jsonl_writer_new(stdout);
	struct ingest_sink sink;
	struct ingest in;
	int i, rc = CLI_EXIT_OK;

	jsonl_writer_sink(w, &sink);
	ingest_init(&in, &io);
	for (i = 0; i < (argc ? argc : 1) && rc == CLI_EXIT_OK; i++)
		if (ingest_file(&in, argc ? argv[i] : "-", &sink, &eb) == -1) {
			warnx("%s", eb.msg);
			rc = CLI_EXIT_FAIL;
		}
	if (jsonl_writer_flush(w, &eb) == -1) {
		warnx("%s", eb.msg);
		rc = CLI_EXIT_FAIL;
	}
	ingest_summary(&in);
	if (ingest_troubled(&in))
		rc = CLI_EXIT_FAIL;
	ingest_release(&in);
	jsonl_writer_free(w);
	return rc;
}

/* What 'mgather listen' was asked. */
struct listen_opts {
	const char *statsd, *http, *store, *auth;
	double rate, burst;
	enum store_fsync fsync;
	size_t max_body;
	struct statsd_opts sd;
};

/*
 * Where samples go: a store (--store DIR), its writer synced at each
 * commit as 'fsync' says, or the stream on standard output.
 */
struct output {
	struct jsonl_writer *w;
	struct store *st;
	struct store_writer *sw;
	struct ingest_sink sink;
};

static void
output_open(struct output *out, const char *store, enum store_fsync fsync)
{
	struct errbuf eb = ERRBUF_INIT;

	memset(out, 0, sizeof(*out));
	out->w = jsonl_writer_new(stdout);
	if (store) {
		struct store_writer_opts wo = STORE_WRITER_OPTS_INIT;
		wo.fsync = fsync;
		if ((out->st = store_open(store, 1, &eb)) == NULL ||
		    (out->sw = store_writer_open(out->st, &wo, &eb)) == NULL)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		store_writer_sink(out->sw, &out->sink);
	} else {
		jsonl_writer_sink(out->w, &out->sink);
	}
}

/* Close 'out': 'rc', or CLI_EXIT_FAIL when the store's writer failed. */
static int
output_close(struct output *out, int rc)
{
	struct errbuf eb = ERRBUF_INIT;

	if (out->sw && store_writer_close(out->sw, &eb) == -1) {
		warnx("%s", eb.msg);
		rc = CLI_EXIT_FAIL;
	}
	store_close(out->st);
	jsonl_writer_free(out->w);
	return rc;
}

/*
 * 'mgather listen': StatsD received and flushed in this thread, HTTP
 * pushes served from libmicrohttpd's, into one output under one lock.
 */
static int
listen_cmd(struct listen_opts *o)
{
	struct errbuf eb = ERRBUF_INIT;
	struct output output;
	struct ingest_sink out, shared;
	struct push_opts po = { o->sd.labels, o->sd.nlabels, o->max_body, NULL,
		o->rate, o->burst, NULL, NULL, NULL };
	struct auth *auth = NULL;
	struct statsd *sd = NULL;
	struct listener *l = NULL;
	struct push *push = NULL;
	struct httpd *hd = NULL;
	sigset_t waitmask;
	int rc = CLI_EXIT_OK;

	/* The server's thread is made with the stop signals blocked. */
	cli_catch_stop(on_signal, &waitmask);
	/* Synced at every commit: a 204 means on disk. */
	output_open(&output, o->store, o->fsync);
	shared = out = output.sink;
	if (o->statsd) {
		if ((l = listener_open(o->statsd, &eb)) == NULL)
			errx(CLI_EXIT_FAIL, "statsd: %s", eb.msg);
		warnx("statsd on %s (UDP and TCP)", listener_address(l));
		po.more_metrics = statsd_metrics;
	}
	/* StatsD lines pushed over HTTP are added up here too. */
	o->sd.no_own_metrics = l == NULL;
	sd = statsd_new(&o->sd);
	po.statsd = sd;
	po.more_arg = sd;
	if (o->auth && (po.auth = auth = auth_load(o->auth, &eb)) == NULL)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	if (o->http) {
		push = push_new(&po, &out);
		push_sink(push, &shared);
		if ((hd = httpd_open(o->http, o->max_body, 0, push_handle, push,
		    &eb)) == NULL)
			errx(CLI_EXIT_FAIL, "http: %s", eb.msg);
		warnx("http on %s", httpd_address(hd));
	}
	/* Signals arrive from here on, in this thread. */
	sigprocmask(SIG_SETMASK, &waitmask, NULL);
	if (statsd_serve(sd, l, &stop, &shared, cli_warn, NULL, &eb) == -1) {
		warnx("%s", eb.msg);
		rc = CLI_EXIT_FAIL;
	}
	httpd_close(hd);
	if (shared.commit(shared.ctx, &eb) == -1) {
		warnx("%s", eb.msg);
		rc = CLI_EXIT_FAIL;
	}
	push_free(push);
	auth_free(auth);
	statsd_free(sd);
	listener_close(l);
	return output_close(&output, rc);
}

/* One pass at 'ts' of a mode, its samples to 'sink'. */
typedef int (*pass_fn)(void *arg, int64_t ts, const struct ingest_sink *sink,
    struct errbuf *eb);

/*
 * Run 'fn' every 'interval' (once when negative), 'count' times (0: until
 * stopped), its samples given to 'sink' and committed after each pass.
 * Signals get in only while sleeping: a pass is always whole.
 */
static int
every_interval(const struct ingest_sink *sink, pass_fn fn, void *arg,
    int64_t interval, long count)
{
	struct errbuf eb = ERRBUF_INIT;
	struct schedule sched;
	sigset_t waitmask;
	long pass;
	int rc = CLI_EXIT_OK;

	cli_catch_stop(on_signal, &waitmask);
	schedule_init(&sched, interval);
	for (pass = 0; count == 0 || pass < count; pass++) {
		while (pass > 0 && !stop && schedule_wait(&sched, &waitmask) == -1)
			;		/* a signal: stop, or sleep on */
		if (stop)
			break;
		if (fn(arg, ts_now(), sink, &eb) == -1) {
			warnx("%s", eb.msg);
			rc = CLI_EXIT_FAIL;
			break;
		}
	}
	return rc;
}

static int
exec_once(void *arg, int64_t ts, const struct ingest_sink *sink,
    struct errbuf *eb)
{
	return exec_pass(arg, ts, sink, eb);
}

static int
scrape_once(void *arg, int64_t ts, const struct ingest_sink *sink,
    struct errbuf *eb)
{
	return scraper_pass(arg, ts, sink, eb) == -1 ? -1 : 0;
}

static int
gather_once(void *arg, int64_t ts, const struct ingest_sink *sink,
    struct errbuf *eb)
{
	if (gather_pass(arg, sink, ts, eb) == -1)
		return -1;
	return sink->commit(sink->ctx, eb);
}

static long
parse_count(const char *s, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	return errno || end == s || *end || n < 1 || n > max ? -1 : n;
}

int
main(int argc, char *argv[])
{
	struct gather_opts o = GATHER_OPTS_INIT;
	struct errbuf eb = ERRBUF_INIT;
	const char **labels, **comms;
	size_t nlabels = 0, ncomms = 0;
	pid_t *pids;
	int64_t interval = -1;
	long count = 0, n;
	char host[256] = "";
	struct output out;
	struct gather *g;
	struct cli cli;
	enum expo_format xf = EXPO_PROMETHEUS;
	const char *format = NULL;
	struct listen_opts lo = { NULL, NULL, NULL, NULL, 0, 0,
		STORE_FSYNC_ALWAYS, 10 * 1024 * 1024, { 10000, 300000, NULL, 0, 0 } };
	struct scrape_opts so;
	char *token = NULL, *password = NULL;
	const char *relabel_file = NULL;
	struct scraper *sc;
	const char *cmd;
	int key, explicit = 0, strict = 0, rc;

	memset(&so, 0, sizeof(so));
	so.job = "scrape";
	so.timeout_ms = -1;
	cli_start(&cli, &program, argc, argv);
	/* No option comes more often than there are arguments. */
	labels = xcalloc((size_t)argc, sizeof(*labels));
	comms = xcalloc((size_t)argc, sizeof(*comms));
	pids = xcalloc((size_t)argc, sizeof(*pids));
	while ((key = cli_next(&cli)) != -1) {
		switch (key) {
		case 'C':
			if (gather_collectors_parse(cli.arg, &o.collectors,
			    &explicit, &eb) == -1)
				cli_usage_error(&cli, "%s", eb.msg);
			break;
		case 'i':
			if (ts_parse_duration(cli.arg, &interval) == -1)
				cli_usage_error(&cli, "bad interval '%s'", cli.arg);
			break;
		case 'L':
			list_collectors();
		case 'l':
			if (gather_label_check(cli.arg, &eb) == -1)
				cli_usage_error(&cli, "%s", eb.msg);
			labels[nlabels++] = cli.arg;
			break;
		case 'n':
			if ((count = parse_count(cli.arg, LONG_MAX)) == -1)
				cli_usage_error(&cli, "bad count '%s'", cli.arg);
			break;
		case 'p':
			if ((n = parse_count(cli.arg, INT_MAX)) == -1)
				cli_usage_error(&cli, "bad pid '%s'", cli.arg);
			pids[o.npids++] = (pid_t)n;
			break;
		case OPT_FS_TIMEOUT:
			if (ts_parse_duration(cli.arg, &o.fs_timeout_ms) == -1 ||
			    o.fs_timeout_ms <= 0)
				cli_usage_error(&cli, "bad timeout '%s'", cli.arg);
			break;
		case OPT_PROCESS: comms[ncomms++] = cli.arg; break;
		case OPT_PROCFS: o.procfs = cli.arg; break;
		case OPT_RATES: o.rates = 1; break;
		case OPT_ROOTFS: o.rootfs = cli.arg; break;
		case OPT_SYSFS: o.sysfs = cli.arg; break;
		case OPT_FORMAT: format = cli.arg; break;
		case OPT_STATSD: lo.statsd = cli.arg; break;
		case OPT_HTTP: lo.http = cli.arg; break;
		case OPT_AUTH: lo.auth = cli.arg; break;
		case OPT_FSYNC:
			if (store_fsync_parse(cli.arg, &lo.fsync) == -1)
				cli_bad_value(&cli, key, "fsync mode", cli.arg);
			break;
		case OPT_RATE:
		case OPT_BURST:
			if (auth_rate_parse(cli.arg, key == OPT_RATE ? &lo.rate :
			    &lo.burst) == -1)
				cli_usage_error(&cli, "--%s: not a positive number "
				    "of samples '%s'", key == OPT_RATE ? "rate" :
				    "burst", cli.arg);
			break;
		case OPT_STORE: lo.store = cli.arg; break;
		case OPT_FLUSH:
			if ((lo.sd.flush_ms = cli_duration(&cli, key, cli.arg)) <= 0)
				cli_usage_error(&cli, "--flush: more than 0");
			break;
		case OPT_TTL: lo.sd.ttl_ms = cli_duration(&cli, key, cli.arg); break;
		case OPT_MAX_BODY:
			if ((n = parse_count(cli.arg, 1L << 30)) == -1)
				cli_usage_error(&cli, "bad size '%s'", cli.arg);
			lo.max_body = (size_t)n;
			break;
		case OPT_STRICT: strict = 1; break;
		case OPT_JOB: so.job = cli.arg; break;
		case OPT_TARGETS: so.targets_file = cli.arg; break;
		case OPT_TIMEOUT:
			so.timeout_ms = cli_duration(&cli, key, cli.arg);
			break;
		case OPT_HONOR: so.honor_labels = 1; break;
		case OPT_SAMPLE_LIMIT:
			if ((n = parse_count(cli.arg, LONG_MAX)) == -1)
				cli_usage_error(&cli, "bad limit '%s'", cli.arg);
			so.sample_limit = (uint64_t)n;
			break;
		case OPT_BEARER_FILE:
			free(token);
			token = cli_read_secret(cli.arg);
			break;
		case OPT_USER: so.user = cli.arg; break;
		case OPT_PASSWORD_FILE:
			free(password);
			password = cli_read_secret(cli.arg);
			break;
		case OPT_RELABEL: relabel_file = cli.arg; break;
		case OPT_CA_FILE: so.tls.ca_file = cli.arg; break;
		case OPT_CERT_FILE: so.tls.cert_file = cli.arg; break;
		case OPT_KEY_FILE: so.tls.key_file = cli.arg; break;
		case OPT_SERVER_NAME: so.tls.server_name = cli.arg; break;
		case OPT_INSECURE: so.tls.insecure_skip_verify = 1; break;
		}
	}
	cmd = cli_operands(&cli, &argc, &argv);
	if (cli_given(&cli, OPT_FSYNC) && lo.store == NULL)
		cli_usage_error(&cli, "--fsync goes with --store");
	if (cmd && strcmp(cmd, "listen") == 0) {
		if (lo.statsd == NULL && lo.http == NULL)
			cli_usage_error(&cli, "listen: --statsd or --http ADDRESS "
			    "is needed");
		if (lo.burst > 0 && lo.rate == 0)
			cli_usage_error(&cli, "listen: --burst goes with --rate");
		if ((cli_given(&cli, OPT_AUTH) || lo.rate > 0) && lo.http == NULL)
			cli_usage_error(&cli, "listen: --auth and --rate are of "
			    "--http");
		lo.sd.labels = labels;
		lo.sd.nlabels = nlabels;
		rc = listen_cmd(&lo);
		free(labels);
		free(comms);
		free(pids);
		return cli_finish(rc);
	}
	if (cmd && strcmp(cmd, "exec") == 0) {
		struct exec_opts xo;
		memset(&xo, 0, sizeof(xo));
		if (argc == 0)
			cli_usage_error(&cli, "exec: a command is needed");
		if (format && exec_format_parse(format, &xo.format) == -1)
			cli_bad_value(&cli, OPT_FORMAT, "format", format);
		if (interval < 0)
			interval = 60000;
		if (interval == 0 && count == 0)
			cli_usage_error(&cli, "'-i 0' needs '-n'");
		xo.argv = argv;
		xo.timeout_ms = so.timeout_ms >= 0 ? so.timeout_ms :
		    interval && interval < 10000 ? interval : 10000;
		xo.labels = labels;
		xo.nlabels = nlabels;
		xo.warn = cli_warn;
		output_open(&out, lo.store, lo.fsync);
		rc = output_close(&out, every_interval(&out.sink, exec_once,
		    &xo, interval, count));
		free(labels);
		free(comms);
		free(pids);
		return cli_finish(rc);
	}
	if (cmd && strcmp(cmd, "scrape") == 0) {
		if (argc == 0 && so.targets_file == NULL)
			cli_usage_error(&cli, "scrape: URLs or --targets are needed");
		if (interval < 0)
			interval = 15000;
		if (interval == 0)
			cli_usage_error(&cli, "scrape: '-i 0' scrapes nothing");
		if (so.timeout_ms < 0)
			so.timeout_ms = interval < 10000 ? interval : 10000;
		so.bearer_token = token;
		so.password = password;
		if (so.user == NULL && password)
			cli_usage_error(&cli, "--password-file goes with --user");
		if ((so.tls.cert_file == NULL) != (so.tls.key_file == NULL))
			cli_usage_error(&cli, "--cert-file and --key-file go "
			    "together");
		so.labels = labels;
		so.nlabels = nlabels;
		so.warn = cli_warn;
		if (relabel_file && (so.relabel = relabel_load(relabel_file,
		    &eb)) == NULL)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		if ((sc = scraper_new(&so, (const char *const *)argv,
		    (size_t)argc, &eb)) == NULL)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		output_open(&out, lo.store, lo.fsync);
		rc = output_close(&out, every_interval(&out.sink, scrape_once,
		    sc, interval, count));
		scraper_free(sc);
		relabel_free(so.relabel);
		free(token);
		free(password);
		free(labels);
		free(comms);
		free(pids);
		return cli_finish(rc);
	}
	if (cmd && strcmp(cmd, "read") == 0) {
		enum ingest_format inf = INGEST_PROMETHEUS;
		if (format && strcmp(format, "influx") == 0)
			inf = INGEST_INFLUX;
		else if (format && strcmp(format, "graphite") == 0)
			inf = INGEST_GRAPHITE;
		else if (format && strcmp(format, "csv") == 0)
			inf = INGEST_CSV;
		else if (format && expo_format_parse(format, &xf) == -1)
			cli_bad_value(&cli, OPT_FORMAT, "format", format);
		else if (xf == EXPO_OPENMETRICS)
			inf = INGEST_OPENMETRICS;
		cli_catch_stop(on_signal, NULL);
		rc = read_files(inf, strict, argc, argv);
		free(labels);
		free(comms);
		free(pids);
		return cli_finish(rc);
	}
	if (count > 1 && interval < 0)
		cli_usage_error(&cli, "'-n %ld' needs '-i'", count);
	if (interval == 0 && count == 0)
		cli_usage_error(&cli, "'-i 0' needs '-n'");
	if (interval < 0)
		count = 1;
	if (gethostname(host, sizeof(host) - 1) == 0)
		o.host = host;
	o.labels = labels;
	o.nlabels = nlabels;
	o.pids = pids;
	o.comms = comms;
	o.ncomms = ncomms;
	if (o.npids || o.ncomms)
		o.collectors |= GATHER_BIT(GATHER_PROCESS);
	o.warn = cli_warn;
	o.check = lo.store != NULL;

	if ((g = gather_new(&o, &eb)) == NULL)
		errx(CLI_EXIT_USAGE, "%s", eb.msg);
	output_open(&out, lo.store, lo.fsync);
	rc = output_close(&out, every_interval(&out.sink, gather_once, g,
	    interval, count));
	gather_free(g);
	free(labels);
	free(comms);
	free(pids);
	return cli_finish(rc);
}
