/* statsd_send.c - send StatsD packets over UDP as fast as asked */
/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: statsd_send PORT COUNT RATE
 *
 * Sends COUNT one-line packets to 127.0.0.1:PORT, in batches of 64
 * (sendmmsg), paced to RATE packets a second (0: as fast as it can):
 * counters of 100 series, timings of 10.  Prints "sent=N seconds=S".
 */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in to;
	struct mmsghdr m[64];
	struct iovec iov[64];
	char buf[64][96];
	long count, rate, sent = 0, i;
	double t0;
	int fd;

	if (argc != 4)
		errx(2, "usage: statsd_send port count rate");
	count = atol(argv[2]);
	rate = atol(argv[3]);
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1)
		err(1, "socket");
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons((unsigned short)atoi(argv[1]));
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t0 = now();
	while (sent < count) {
		int n = count - sent < 64 ? (int)(count - sent) : 64, k;
		for (i = 0; i < n; i++) {
			long j = sent + i;
			int len = j % 10 == 0 ?
			    snprintf(buf[i], sizeof(buf[i]), "bench.latency:%ld|ms|#shard:%ld",
			    j % 997, j % 10) :
			    snprintf(buf[i], sizeof(buf[i]), "bench.hits:1|c|#series:%ld",
			    j % 100);
			iov[i].iov_base = buf[i];
			iov[i].iov_len = (size_t)len;
			memset(&m[i], 0, sizeof(m[i]));
			m[i].msg_hdr.msg_name = &to;
			m[i].msg_hdr.msg_namelen = sizeof(to);
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		if ((k = sendmmsg(fd, m, (unsigned)n, 0)) <= 0)
			err(1, "sendmmsg");
		sent += k;
		/* Ahead of the pace: wait for it. */
		while (rate && (double)sent / rate > now() - t0)
			;
	}
	printf("sent=%ld seconds=%.3f\n", sent, now() - t0);
	return 0;
}
