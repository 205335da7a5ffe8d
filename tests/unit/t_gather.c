/* t_gather.c - unit tests for mgather's library: wraps, options, timeouts */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "collect/gather_int.h"
#include "collect/gather.h"
#include "stream/jsonl.h"
#include "tap.h"

/*
 * A statfs(2) that blocks, as one on a dead NFS server does, on the
 * mount point "/hang" while 'armed': it waits for a byte on a pipe.
 */
static int release_pipe[2];
static int armed;
static int hang_calls, hang_returned;

static int
fake_statfs(const char *path, struct statfs *buf)
{
	char c;
	size_t n = strlen(path);

	if (n >= 5 && strcmp(path + n - 5, "/hang") == 0) {
		__atomic_add_fetch(&hang_calls, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&armed, __ATOMIC_SEQ_CST)) {
			while (read(release_pipe[0], &c, 1) == -1 &&
			    errno == EINTR)
				;
			__atomic_store_n(&hang_returned, 1, __ATOMIC_SEQ_CST);
		}
	}
	return statfs(path, buf);
}

static char warnings[8][512];
static int nwarnings;

static void
on_warn(void *arg, const char *msg)
{
	(void)arg;
	if (nwarnings < 8)
		snprintf(warnings[nwarnings], sizeof(warnings[0]), "%s", msg);
	nwarnings++;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/*
 * One pass into a string: the output of gather_pass(), in 'out' (freed
 * by the caller).  Returns how long the pass took, in milliseconds.
 */
static double
pass(struct gather *g, char **out)
{
	size_t len;
	FILE *fp = open_memstream(out, &len);
	struct jsonl_writer *w = jsonl_writer_new(fp);
	struct errbuf eb = ERRBUF_INIT;
	struct ingest_sink sink;
	double t0 = now_ms();

	jsonl_writer_sink(w, &sink);
	if (gather_pass(g, &sink, 1700000000000, &eb) == -1 ||
	    jsonl_writer_flush(w, &eb) == -1)
		printf("# pass failed: %s\n", eb.msg);
	t0 = now_ms() - t0;
	jsonl_writer_free(w);
	fclose(fp);
	return t0;
}

/* The value of 'name' for mount point 'mnt' in 'out', or -1. */
static double
fs_value(const char *out, const char *name, const char *mnt)
{
	char want[256], lab[128];
	const char *p, *nl, *v;

	snprintf(want, sizeof(want), "{\"name\":\"%s\",", name);
	snprintf(lab, sizeof(lab), "\"mountpoint\":\"%s\"", mnt);
	for (p = out; p && *p; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (strncmp(p, want, strlen(want)) != 0)
			continue;
		v = strstr(p, lab);
		if (v == NULL || (nl && v > nl))
			continue;
		v = strstr(p, "\"value\":");
		return v ? strtod(v + 8, NULL) : -1;
	}
	return -1;
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) != 0)
		printf("# cannot write %s\n", path);
}

static void
test_counters(void)
{
	struct counter c;

	is_int(counter_extend(&c, 100, 1), 100, "counter starts at the raw value");
	is_int(counter_extend(&c, 150, 0), 150, "counter follows increases");
	is_int(counter_extend(&c, 4294967000ULL, 0), 4294967000ULL,
	    "counter up to near 2^32");
	is_int(counter_extend(&c, 704, 0), 4294968000ULL,
	    "a 32-bit value that drops has wrapped: 2^32 added");
	is_int(counter_extend(&c, 2000, 0), 4294969296ULL,
	    "and keeps being extended");
	counter_extend(&c, 1000000000000ULL, 1);
	is_int(counter_extend(&c, 5, 0), 5,
	    "a 64-bit value that drops was reset: start again");
}

static void
test_options(void)
{
	struct errbuf eb = ERRBUF_INIT;
	unsigned mask = GATHER_DEFAULT;
	int explicit = 0;

	ok(gather_collectors_parse("cpu,loadavg", &mask, &explicit, &eb) == 0 &&
	    mask == (GATHER_BIT(GATHER_CPU) | GATHER_BIT(GATHER_LOADAVG)),
	    "a bare list chooses exactly those collectors");
	ok(gather_collectors_parse("meminfo", &mask, &explicit, &eb) == 0 &&
	    (mask & GATHER_BIT(GATHER_MEMINFO)) && (mask & GATHER_BIT(GATHER_CPU)),
	    "a second -C adds to the first");
	mask = GATHER_DEFAULT;
	explicit = 0;
	ok(gather_collectors_parse("-cpu,+processes", &mask, &explicit, &eb) == 0 &&
	    mask == ((GATHER_DEFAULT & ~GATHER_BIT(GATHER_CPU)) |
	    GATHER_BIT(GATHER_PROCESSES)),
	    "-name and +name change the default set");
	ok(gather_collectors_parse("all,-time", &mask, &explicit, &eb) == 0 &&
	    mask == (GATHER_ALL & ~GATHER_BIT(GATHER_TIME)), "all, then -time");
	explicit = 0;
	ok(gather_collectors_parse("load", &mask, &explicit, &eb) == 0 &&
	    mask == GATHER_BIT(GATHER_LOADAVG), "load is loadavg");
	ok(gather_collectors_parse("cpu,nope", &mask, &explicit, &eb) == -1,
	    "an unknown collector fails");
	is_str(eb.msg, "unknown collector 'nope'", "and says which");
	ok(gather_label_check("dc=eu-1", &eb) == 0, "a good label");
	ok(gather_label_check("host=", &eb) == 0, "an empty value (removes)");
	ok(gather_label_check("9x=1", &eb) == -1, "a bad label name");
	ok(gather_label_check("__name__=x", &eb) == -1, "a reserved name");
	ok(gather_label_check("novalue", &eb) == -1, "no '='");
	{
		/* 1366 bytes of \xff are 4098 once written as U+FFFD. */
		char spec[1400] = "a=";
		memset(spec + 2, '\xff', 1365);
		ok(gather_label_check(spec, &eb) == 0,
		    "a value of 4095 bytes as written");
		spec[2 + 1365] = '\xff';
		ok(gather_label_check(spec, &eb) == -1,
		    "a value of 4098 bytes as written is too long");
	}
}

static void
test_timeout(const char *dir)
{
	struct gather_opts o = GATHER_OPTS_INIT;
	struct errbuf eb = ERRBUF_INIT;
	struct gather *g;
	char path[512], procfs[512], rootfs[512], *out = NULL;
	double ms;
	int i;

	snprintf(procfs, sizeof(procfs), "%s/proc", dir);
	snprintf(rootfs, sizeof(rootfs), "%s/root", dir);
	snprintf(path, sizeof(path), "%s/proc", dir);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/proc/1", dir);
	mkdir(path, 0777);
	mkdir(rootfs, 0777);
	snprintf(path, sizeof(path), "%s/root/ok", dir);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/root/hang", dir);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/root/after", dir);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/proc/1/mounts", dir);
	write_file(path, "/dev/a /ok ext4 rw 0 0\n"
	    "nfs:/x /hang nfs4 rw 0 0\n"
	    "/dev/b /after ext4 ro 0 0\n");

	o.collectors = GATHER_BIT(GATHER_FILESYSTEM);
	o.procfs = procfs;
	o.rootfs = rootfs;
	o.fs_timeout_ms = 200;
	o.statfs_fn = fake_statfs;
	o.warn = on_warn;
	g = gather_new(&o, &eb);
	ok(g != NULL, "gather_new");

	__atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
	ms = pass(g, &out);
	ok(ms >= 150 && ms < 3000, "a blocked statfs costs the timeout once "
	    "(%.0fms)", ms);
	ok(fs_value(out, "node_filesystem_device_error", "/hang") == 1,
	    "the blocked mount has device_error 1");
	ok(fs_value(out, "node_filesystem_size_bytes", "/hang") == -1 &&
	    fs_value(out, "node_filesystem_readonly", "/hang") == -1,
	    "and no size, nor readonly");
	ok(fs_value(out, "node_filesystem_device_error", "/ok") == 0 &&
	    fs_value(out, "node_filesystem_size_bytes", "/ok") > 0,
	    "the mount before it is reported");
	ok(fs_value(out, "node_filesystem_device_error", "/after") == 0 &&
	    fs_value(out, "node_filesystem_size_bytes", "/after") > 0 &&
	    fs_value(out, "node_filesystem_readonly", "/after") == 1,
	    "the mount after it is reported too (by a new worker)");
	is_int(nwarnings, 1, "one warning");
	ok(strstr(warnings[0], "filesystem: statfs '") &&
	    strstr(warnings[0], "/hang' timed out after 200ms"),
	    "which names the mount: %s", warnings[0]);
	free(out);

	ms = pass(g, &out);
	ok(ms < 150, "the next pass does not wait for it again (%.0fms)", ms);
	ok(fs_value(out, "node_filesystem_device_error", "/hang") == 1,
	    "still device_error 1 while stuck");
	is_int(nwarnings, 1, "and no second warning");
	is_int(__atomic_load_n(&hang_calls, __ATOMIC_SEQ_CST), 1,
	    "nor a second call");
	free(out);

	/* The server comes back: the call returns, the mount is asked again. */
	__atomic_store_n(&armed, 0, __ATOMIC_SEQ_CST);
	if (write(release_pipe[1], "x", 1) != 1)
		printf("# write failed\n");
	for (i = 0; i < 100; i++) {
		out = NULL;
		pass(g, &out);
		if (fs_value(out, "node_filesystem_device_error", "/hang") == 0)
			break;
		free(out);
		usleep(20000);
	}
	ok(i < 100 && fs_value(out, "node_filesystem_size_bytes", "/hang") > 0,
	    "once the call returns, the mount is reported again");
	free(out);

	/* Freed while a worker is stuck: the worker cleans up later. */
	__atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&hang_returned, 0, __ATOMIC_SEQ_CST);
	pass(g, &out);
	free(out);
	gather_free(g);
	if (write(release_pipe[1], "x", 1) != 1)
		printf("# write failed\n");
	for (i = 0; i < 100 && !__atomic_load_n(&hang_returned,
	    __ATOMIC_SEQ_CST); i++)
		usleep(10000);
	usleep(50000);		/* let the worker free what it holds */
	ok(i < 100, "gather_free() with a worker stuck, which ends later");
}

int
main(void)
{
	char dir[] = "/tmp/t_gather.XXXXXX", cmd[64];

	if (pipe(release_pipe) == -1 || mkdtemp(dir) == NULL) {
		perror("t_gather");
		return 1;
	}
	test_counters();
	test_options();
	test_timeout(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("# cannot remove %s\n", dir);
	return done_testing();
}
