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
#include "collect/gather.h"
#include "stream/jsonl.h"
#include "base/schedule.h"
#include "base/timestamp.h"
#include "base/xalloc.h"

static const char usage_str[] =
    "usage: mgather [-hLV] [--rates] [-C collector,...] [-i interval] "
    "[-l name=value]\n"
    "               [-n count] [-p pid] [--fs-timeout duration] "
    "[--process name]\n"
    "               [--procfs dir] [--rootfs dir] [--sysfs dir]\n";

static const char help_str[] =
    "  -C, --collectors=LIST   choose collectors: name, +name, -name (remove)\n"
    "  -h, --help              print this help and exit\n"
    "  -i, --interval=DURATION a pass every DURATION (15s); default: once\n"
    "  -L, --list-collectors   list the collectors and exit\n"
    "  -l, --label=NAME=VALUE  label every sample; an empty VALUE removes\n"
    "  -n, --count=COUNT       stop after COUNT passes\n"
    "  -p, --pid=PID           report process PID (process collector)\n"
    "  -V, --version           print the version and exit\n"
    "      --fs-timeout=DURATION  give up on a statfs after DURATION (5s)\n"
    "      --process=NAME      report processes whose command name is NAME\n"
    "      --procfs=DIR        read /proc from DIR (%p: the pass number)\n"
    "      --rates             also write per-interval rates and percentages\n"
    "      --rootfs=DIR        the mount points are under DIR\n"
    "      --sysfs=DIR         read /sys from DIR (%p: the pass number)\n";

enum {
	OPT_FS_TIMEOUT = 256, OPT_PROCESS, OPT_PROCFS, OPT_RATES, OPT_ROOTFS,
	OPT_SYSFS
};

static const struct option longopts[] = {
	{ "collectors", required_argument, NULL, 'C' },
	{ "count", required_argument, NULL, 'n' },
	{ "fs-timeout", required_argument, NULL, OPT_FS_TIMEOUT },
	{ "help", no_argument, NULL, 'h' },
	{ "interval", required_argument, NULL, 'i' },
	{ "label", required_argument, NULL, 'l' },
	{ "list-collectors", no_argument, NULL, 'L' },
	{ "pid", required_argument, NULL, 'p' },
	{ "process", required_argument, NULL, OPT_PROCESS },
	{ "procfs", required_argument, NULL, OPT_PROCFS },
	{ "rates", no_argument, NULL, OPT_RATES },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "sysfs", required_argument, NULL, OPT_SYSFS },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* Set by SIGINT and SIGTERM: stop after the pass being written. */
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
on_warning(void *arg, const char *msg)
{
	(void)arg;
	warnx("%s", msg);
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

/* The values of --collectors, for the completions. */
static const char *
option_value(const char *opt, size_t i)
{
	if (strcmp(opt, "collectors") == 0)
		return gather_collector_name((int)i);
	return NULL;
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
	struct schedule sched;
	long count = 0, n, pass;
	char host[256] = "";
	struct sigaction sa;
	sigset_t block, waitmask;
	struct jsonl_writer *w;
	struct gather *g;
	int ch, explicit = 0, rc = CLI_EXIT_OK;

	cli_init(argc, argv, longopts);
	cli_list_values(argc, argv, longopts, option_value);
	/* No option comes more often than there are arguments. */
	labels = xcalloc((size_t)argc, sizeof(*labels));
	comms = xcalloc((size_t)argc, sizeof(*comms));
	pids = xcalloc((size_t)argc, sizeof(*pids));
	while ((ch = getopt_long(argc, argv, "C:hi:Ll:n:p:V", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'C':
			if (gather_collectors_parse(optarg, &o.collectors,
			    &explicit, &eb) == -1)
				cli_usage_error(usage_str, "%s", eb.msg);
			break;
		case 'h':
			cli_help(usage_str, help_str);
		case 'i':
			if (ts_parse_duration(optarg, &interval) == -1)
				cli_usage_error(usage_str, "bad interval '%s'",
				    optarg);
			break;
		case 'L':
			list_collectors();
		case 'l':
			if (gather_label_check(optarg, &eb) == -1)
				cli_usage_error(usage_str, "%s", eb.msg);
			labels[nlabels++] = optarg;
			break;
		case 'n':
			if ((count = parse_count(optarg, LONG_MAX)) == -1)
				cli_usage_error(usage_str, "bad count '%s'",
				    optarg);
			break;
		case 'p':
			if ((n = parse_count(optarg, INT_MAX)) == -1)
				cli_usage_error(usage_str, "bad pid '%s'", optarg);
			pids[o.npids++] = (pid_t)n;
			break;
		case 'V':
			cli_version();
		case OPT_FS_TIMEOUT:
			if (ts_parse_duration(optarg, &o.fs_timeout_ms) == -1 ||
			    o.fs_timeout_ms <= 0)
				cli_usage_error(usage_str, "bad timeout '%s'",
				    optarg);
			break;
		case OPT_PROCESS:
			comms[ncomms++] = optarg;
			break;
		case OPT_PROCFS: o.procfs = optarg; break;
		case OPT_RATES: o.rates = 1; break;
		case OPT_ROOTFS: o.rootfs = optarg; break;
		case OPT_SYSFS: o.sysfs = optarg; break;
		default:
			cli_usage(usage_str);
		}
	}
	if (optind != argc)
		cli_usage_error(usage_str, "unexpected argument '%s'",
		    argv[optind]);
	if (count > 1 && interval < 0)
		cli_usage_error(usage_str, "'-n %ld' needs '-i'", count);
	if (interval == 0 && count == 0)
		cli_usage_error(usage_str, "'-i 0' needs '-n'");
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
	o.warn = on_warning;

	/* Signals only get in while sleeping: a pass is always whole. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &waitmask);
	sigdelset(&waitmask, SIGINT);
	sigdelset(&waitmask, SIGTERM);

	if ((g = gather_new(&o, &eb)) == NULL)
		errx(CLI_EXIT_USAGE, "%s", eb.msg);
	w = jsonl_writer_new(stdout);
	schedule_init(&sched, interval);
	for (pass = 0; count == 0 || pass < count; pass++) {
		while (pass > 0 && !stop && schedule_wait(&sched, &waitmask) == -1)
			;		/* a signal: stop, or sleep on */
		if (stop)
			break;
		if (gather_pass(g, w, ts_now(), &eb) == -1 ||
		    jsonl_writer_flush(w, &eb) == -1) {
			warnx("%s", eb.msg);
			rc = CLI_EXIT_FAIL;
			break;
		}
	}
	jsonl_writer_free(w);
	gather_free(g);
	free(labels);
	free(comms);
	free(pids);
	return cli_finish(rc);
}
