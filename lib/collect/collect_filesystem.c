/* collect_filesystem.c - size and free space per mount, with a timeout */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

#include "collect/gather_int.h"
#include "base/xalloc.h"

/*
 * statfs(2) on a dead NFS server blocks forever, and nothing can cancel
 * it.  So the calls are made on a worker thread, one mount after the
 * other, while the collector waits with a deadline per mount.  When a
 * call overruns, the collector abandons that worker (it stays blocked in
 * the kernel), reports the mount with node_filesystem_device_error 1,
 * and hands the remaining mounts to a new worker.  The mount's path goes
 * on a "stuck" list that later passes check first, so a mount is never
 * waited on twice while its call is still blocked; the abandoned worker
 * takes the path off the list when the call returns, then frees itself.
 *
 * The list lives in 'struct fs_shared', which the collector and every
 * worker hold a reference to: the last one out frees it, so gather_free()
 * does not wait for a worker that may never return.  A worker that is
 * not abandoned is idle between passes and is joined by gather_free().
 */

/* A worker's stack: statfs(2) needs little, and RSS should stay small. */
#define FS_STACK_SIZE (64 * 1024)

struct fs_shared {
	pthread_mutex_t mu;
	pthread_cond_t done;		/* a worker finished a call */
	int refs;			/* the collector, and each worker */
	char **stuck;			/* paths an abandoned worker is in */
	size_t nstuck, capstuck;
};

struct fs_item {
	char *path;			/* owned by the worker's array */
	struct statfs st;
	int err;			/* 0, or errno of the call */
};

/* Everything below 'sh' is guarded by 'sh->mu'. */
struct fs_worker {
	struct fs_shared *sh;
	pthread_t thread;
	pthread_cond_t go;		/* a job was posted, or quit */
	int (*fn)(const char *, struct statfs *);
	struct fs_item *items;		/* the job: call fn on each path */
	size_t n, cap, next;		/* 'next': the first not done */
	int posted, quit, abandoned;
};

/* One mount of this pass; strings point into the mounts file's text. */
struct fs_mount {
	const char *dev, *mnt, *type;
	int ro;
	int err;			/* 0, errno, or ETIMEDOUT */
	int skip;			/* a duplicate of an earlier line */
	struct statfs st;
};

struct fs_state {
	struct fs_shared *sh;
	struct fs_worker *w;		/* idle between passes, or NULL */
	struct fs_mount *m;
	size_t n, cap;
	size_t *todo;			/* indexes of 'm' to call statfs on */
	size_t ntodo, captodo;
	char path[PATH_MAX];
};

static void
shared_unref_locked(struct fs_shared *sh)
{
	size_t i;

	if (--sh->refs > 0) {
		pthread_mutex_unlock(&sh->mu);
		return;
	}
	pthread_mutex_unlock(&sh->mu);
	for (i = 0; i < sh->nstuck; i++)
		free(sh->stuck[i]);
	free(sh->stuck);
	pthread_cond_destroy(&sh->done);
	pthread_mutex_destroy(&sh->mu);
	free(sh);
}

static void
worker_free_items(struct fs_worker *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->items[i].path);
	w->n = w->next = 0;
}

static void *
worker_main(void *arg)
{
	struct fs_worker *w = arg;
	struct fs_shared *sh = w->sh;
	struct statfs st;
	size_t i;
	int rc, err;

	pthread_mutex_lock(&sh->mu);
	for (;;) {
		while (!w->posted && !w->quit)
			pthread_cond_wait(&w->go, &sh->mu);
		if (w->quit)
			break;
		while (w->next < w->n) {
			i = w->next;
			pthread_mutex_unlock(&sh->mu);
			memset(&st, 0, sizeof(st));
			rc = w->fn(w->items[i].path, &st);
			err = rc == -1 ? (errno ? errno : EIO) : 0;
			pthread_mutex_lock(&sh->mu);
			w->items[i].st = st;
			w->items[i].err = err;
			w->next++;
			if (w->abandoned)
				goto abandoned;
			pthread_cond_broadcast(&sh->done);
		}
		w->posted = 0;
	}
	goto out;
abandoned:
	/* The call came back at last: the mount may be asked again. */
	for (i = 0; i < sh->nstuck; i++) {
		if (strcmp(sh->stuck[i], w->items[w->next - 1].path) == 0) {
			free(sh->stuck[i]);
			sh->stuck[i] = sh->stuck[--sh->nstuck];
			break;
		}
	}
out:
	worker_free_items(w);
	free(w->items);
	pthread_cond_destroy(&w->go);
	free(w);
	shared_unref_locked(sh);
	return NULL;
}

/* Start a worker; called with 'sh->mu' held.  NULL if no thread. */
static struct fs_worker *
worker_new(struct fs_shared *sh, int (*fn)(const char *, struct statfs *))
{
	struct fs_worker *w = xcalloc(1, sizeof(*w));
	pthread_attr_t attr;
	sigset_t all, old;
	size_t stack = FS_STACK_SIZE;
	int rc;

	w->sh = sh;
	w->fn = fn;
	pthread_cond_init(&w->go, NULL);
	pthread_attr_init(&attr);
	if (stack < (size_t)PTHREAD_STACK_MIN)
		stack = (size_t)PTHREAD_STACK_MIN;
	pthread_attr_setstacksize(&attr, stack);
	/* Signals are the main thread's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, &attr, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		pthread_cond_destroy(&w->go);
		free(w);
		return NULL;
	}
	sh->refs++;
	return w;
}

static int
is_stuck(struct fs_shared *sh, const char *path)
{
	size_t i;

	for (i = 0; i < sh->nstuck; i++)
		if (strcmp(sh->stuck[i], path) == 0)
			return 1;
	return 0;
}

static void
deadline_in(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

/*
 * statfs every mount in 'st->todo' through the workers, results into
 * 'st->m'.  Called with 'sh->mu' held.
 */
static void
run_statfs(struct gather *g, struct fs_state *st)
{
	struct fs_shared *sh = st->sh;
	struct fs_worker *w;
	struct fs_mount *m;
	struct timespec deadline;
	size_t start = 0, i, seen;
	int rc;

	while (start < st->ntodo) {
		if (st->w == NULL &&
		    (st->w = worker_new(sh, g->o.statfs_fn ? g->o.statfs_fn :
		    statfs)) == NULL) {
			for (i = start; i < st->ntodo; i++)
				st->m[st->todo[i]].err = EAGAIN;
			collect_warn(g, "cannot start a thread for statfs");
			return;
		}
		w = st->w;
		worker_free_items(w);
		w->items = xgrow(w->items, &w->cap, st->ntodo - start,
		    sizeof(*w->items));
		for (i = start; i < st->ntodo; i++) {
			m = &st->m[st->todo[i]];
			snprintf(st->path, sizeof(st->path), "%s%s",
			    g->root[COLLECT_ROOT], m->mnt);
			w->items[w->n].path = xstrdup(st->path);
			w->items[w->n++].err = 0;
		}
		w->posted = 1;
		pthread_cond_signal(&w->go);
		seen = 0;
		deadline_in(&deadline, g->o.fs_timeout_ms);
		while (w->posted && w->next < w->n) {
			rc = pthread_cond_timedwait(&sh->done, &sh->mu,
			    &deadline);
			if (w->next > seen) {
				/* Progress: the next mount gets its own time. */
				seen = w->next;
				deadline_in(&deadline, g->o.fs_timeout_ms);
			} else if (rc == ETIMEDOUT) {
				break;
			}
		}
		for (i = 0; i < w->next; i++) {
			m = &st->m[st->todo[start + i]];
			m->st = w->items[i].st;
			m->err = w->items[i].err;
		}
		if (w->next == w->n) {
			start = st->ntodo;
			break;
		}
		/* Item 'next' overran its deadline: leave it behind. */
		m = &st->m[st->todo[start + w->next]];
		m->err = ETIMEDOUT;
		collect_warn(g, "statfs '%s' timed out after %lldms; not asked "
		    "again until it returns", w->items[w->next].path,
		    (long long)g->o.fs_timeout_ms);
		sh->stuck = xgrow(sh->stuck, &sh->capstuck, sh->nstuck + 1,
		    sizeof(*sh->stuck));
		sh->stuck[sh->nstuck++] = xstrdup(w->items[w->next].path);
		w->abandoned = 1;
		pthread_detach(w->thread);
		start += w->next + 1;
		st->w = NULL;
	}
}

/* Undo the octal escapes of /proc/mounts (\040 is a space) in place. */
static char *
unescape(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' &&
		    r[2] >= '0' && r[2] <= '7' && r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 +
			    (r[3] - '0'));
			r += 4;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return s;
}

/*
 * node_exporter's defaults, as Debian builds it.  Mount points:
 * ^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|
 * var/lib/containers/storage/.+)($|/).  File system types: the list below.
 */
static int
mount_excluded(const char *mnt, const char *type)
{
	static const char *const dirs[] = {
		"dev", "proc", "run", "sys", "mnt", "media"
	};
	static const char *const types[] = {
		"autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs",
		"debugfs", "devpts", "devtmpfs", "fusectl", "hugetlbfs",
		"iso9660", "mqueue", "nsfs", "overlay", "proc", "procfs",
		"pstore", "rpc_pipefs", "securityfs", "selinuxfs", "squashfs",
		"sysfs", "tracefs"
	};
	size_t i, n;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(type, types[i]) == 0)
			return 1;
	if (*mnt++ != '/')
		return 0;
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		n = strlen(dirs[i]);
		if (strncmp(mnt, dirs[i], n) == 0 &&
		    (mnt[n] == '\0' || mnt[n] == '/'))
			return 1;
	}
	return (strncmp(mnt, "var/lib/docker/", 15) == 0 && mnt[15]) ||
	    (strncmp(mnt, "var/lib/containers/storage/", 27) == 0 && mnt[27]);
}

/* Split the mounts file in 'g->file' into 'st->m'. */
static void
parse_mounts(struct gather *g, struct fs_state *st)
{
	char *p = g->file.p, *next, *f[4], *opt;
	struct fs_mount *m;
	size_t i, k;

	st->n = 0;
	for (; p && *p; p = next) {
		if ((next = strchr(p, '\n')) != NULL)
			*next++ = '\0';
		for (k = 0; k < 4; k++) {
			while (*p == ' ')
				p++;
			f[k] = p;
			p += strcspn(p, " ");
			if (*p)
				*p++ = '\0';
		}
		if (*f[3] == '\0')
			continue;
		unescape(f[0]);
		unescape(f[1]);
		if (mount_excluded(f[1], f[2]))
			continue;
		st->m = xgrow(st->m, &st->cap, st->n + 1, sizeof(*st->m));
		m = &st->m[st->n++];
		memset(m, 0, sizeof(*m));
		m->dev = f[0];
		m->mnt = f[1];
		m->type = f[2];
		for (opt = f[3]; *opt; opt += strcspn(opt, ","), opt += !!*opt)
			if (opt[0] == 'r' && opt[1] == 'o' &&
			    (opt[2] == ',' || opt[2] == '\0'))
				m->ro = 1;
		/* The same mount listed twice would make duplicate series. */
		for (i = 0; i + 1 < st->n; i++)
			if (strcmp(st->m[i].mnt, m->mnt) == 0 &&
			    strcmp(st->m[i].dev, m->dev) == 0 &&
			    strcmp(st->m[i].type, m->type) == 0)
				m->skip = 1;
	}
}

void
collect_filesystem_release(void *state)
{
	struct fs_state *st = state;
	struct fs_worker *w;
	pthread_t thread;

	if (st == NULL)
		return;
	pthread_mutex_lock(&st->sh->mu);
	w = st->w;
	if (w) {
		/* 'w' frees itself on the way out. */
		thread = w->thread;
		w->quit = 1;
		pthread_cond_signal(&w->go);
	}
	shared_unref_locked(st->sh);
	/* An idle worker exits at once; abandoned ones are detached. */
	if (w)
		pthread_join(thread, NULL);
	free(st->m);
	free(st->todo);
	free(st);
}

static struct fs_state *
fs_state_new(void)
{
	struct fs_state *st = xcalloc(1, sizeof(*st));
	pthread_condattr_t ca;

	st->sh = xcalloc(1, sizeof(*st->sh));
	st->sh->refs = 1;
	pthread_mutex_init(&st->sh->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&st->sh->done, &ca);
	pthread_condattr_destroy(&ca);
	return st;
}

int
collect_filesystem(struct gather *g)
{
	struct fs_state *st = g->state[GATHER_FILESYSTEM];
	struct fs_mount *m;
	struct label l[3];
	double bs;
	size_t i;

	/*
	 * PID 1's mounts, as node_exporter: in a container that shares the
	 * host's PID namespace they are the host's (use --rootfs to reach
	 * them).  Our own mounts if PID 1's cannot be read.
	 */
	if (collect_read(g, COLLECT_PROC, "1/mounts", &g->file) == -1 &&
	    collect_read(g, COLLECT_PROC, "self/mounts", &g->file) == -1)
		return collect_off(g, "cannot read '%s': %s", g->path,
		    strerror(errno));
	if (st == NULL)
		st = g->state[GATHER_FILESYSTEM] = fs_state_new();
	parse_mounts(g, st);
	st->ntodo = 0;
	pthread_mutex_lock(&st->sh->mu);
	for (i = 0; i < st->n; i++) {
		m = &st->m[i];
		if (m->skip)
			continue;
		snprintf(st->path, sizeof(st->path), "%s%s",
		    g->root[COLLECT_ROOT], m->mnt);
		if (is_stuck(st->sh, st->path)) {
			m->err = ETIMEDOUT;
			continue;
		}
		st->todo = xgrow(st->todo, &st->captodo, st->ntodo + 1,
		    sizeof(*st->todo));
		st->todo[st->ntodo++] = i;
	}
	run_statfs(g, st);
	pthread_mutex_unlock(&st->sh->mu);
	for (i = 0; i < st->n; i++) {
		m = &st->m[i];
		if (m->skip)
			continue;
		l[0] = collect_label("device", m->dev);
		l[1] = collect_label("fstype", m->type);
		l[2] = collect_label("mountpoint", m->mnt);
		collect_emit(g, "node_filesystem_device_error", METRIC_GAUGE,
		    m->err ? 1 : 0, l, 3);
		/*
		 * A mount statfs cannot reach (outside a chroot, a dead
		 * server) has no other series, as in node_exporter.
		 */
		if (m->err)
			continue;
		collect_emit(g, "node_filesystem_readonly", METRIC_GAUGE,
		    m->ro, l, 3);
		bs = (double)m->st.f_bsize;
		collect_emit(g, "node_filesystem_size_bytes", METRIC_GAUGE,
		    (double)m->st.f_blocks * bs, l, 3);
		collect_emit(g, "node_filesystem_free_bytes", METRIC_GAUGE,
		    (double)m->st.f_bfree * bs, l, 3);
		collect_emit(g, "node_filesystem_avail_bytes", METRIC_GAUGE,
		    (double)m->st.f_bavail * bs, l, 3);
		collect_emit(g, "node_filesystem_files", METRIC_GAUGE,
		    (double)m->st.f_files, l, 3);
		collect_emit(g, "node_filesystem_files_free", METRIC_GAUGE,
		    (double)m->st.f_ffree, l, 3);
	}
	return 0;
}
