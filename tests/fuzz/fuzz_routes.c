/* fuzz_routes.c - routes files made of arbitrary bytes */
/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "alert/route.h"

/*
 * The input is a routes file.  Loading it never crashes: it fails with
 * "path...: what", or gives a tree every alert goes down without harm,
 * each taken by at least the top route when the top route takes it.
 */
static const struct tmpl_label alerts[][3] = {
	{ { "alertname", "A" }, { "severity", "page" }, { "team", "db" } },
	{ { "alertname", "B" }, { "job", "x" }, { "zone", "" } },
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route_config c;
	const struct route *r[8];
	char path[32], msg[600];
	size_t i, n, k;
	int fd;

	if ((fd = fuzz_memfile(data, size, path)) == -1)
		return 0;
	if (route_load(&c, path, msg, sizeof(msg)) == -1) {
		fuzz_assert(strncmp(msg, path, strlen(path)) == 0);
	} else {
		fuzz_assert(c.root.receiver != NULL);
		for (i = 0; i < 2; i++) {
			n = route_match(&c, alerts[i], 3, r, 8);
			fuzz_assert(n <= 8);
			for (k = 0; k < n; k++)
				fuzz_assert(r[k]->receiver != NULL && r[k]->id);
		}
		route_free(&c);
	}
	close(fd);
	return 0;
}
