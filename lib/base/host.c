/* host.c - the machine's name, as self-metrics and notices give it */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <unistd.h>

#include "base/host.h"

char *
host_name(char *out, size_t size)
{
	if (size == 0)
		return out;
	if (gethostname(out, size) == -1 || out[0] == '\0')
		snprintf(out, size, "localhost");
	out[size - 1] = '\0';
	return out;
}
