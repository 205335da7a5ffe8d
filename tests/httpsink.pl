#!/usr/bin/perl
# httpsink.pl PORTFILE PREFIX - an HTTP server on 127.0.0.1 for tests
# SPDX-License-Identifier: MIT
#
# Listens on a free port of 127.0.0.1, writes the port to PORTFILE, and
# keeps each request: its request line and headers in PREFIX.N.req, its
# body in PREFIX.N (N from 0).  It answers 200, or 500 while a file PREFIX.fail
# exists.  Runs until killed.
use strict;
use warnings;
use IO::Socket::INET;

my ($portfile, $prefix) = @ARGV;
die "usage: httpsink.pl PORTFILE PREFIX\n" unless defined $prefix;
my $s = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => 0,
    Listen => 16, ReuseAddr => 1, Proto => 'tcp')
    or die "httpsink: cannot listen: $!\n";
open(my $pf, '>', "$portfile.tmp") or die "httpsink: $portfile: $!\n";
print $pf $s->sockport, "\n";
close $pf;
rename "$portfile.tmp", $portfile or die "httpsink: $portfile: $!\n";

my $n = 0;
while (my $c = $s->accept) {
	local $/ = "\r\n";
	my $req = <$c>;
	next unless defined $req;
	my ($len, $expect) = (0, 0);
	while (my $l = <$c>) {
		last if $l eq "\r\n";
		$req .= $l;
		$len = $1 if $l =~ /^Content-Length:\s*(\d+)/i;
		$expect = 1 if $l =~ /^Expect:\s*100-continue/i;
	}
	print $c "HTTP/1.1 100 Continue\r\n\r\n" if $expect;
	my $body = '';
	while (length($body) < $len) {
		my $got = read($c, $body, $len - length($body), length($body));
		last unless $got;
	}
	open(my $o, '>', "$prefix.$n.req") or die;
	print $o $req;
	close $o;
	open($o, '>', "$prefix.$n.tmp") or die;
	print $o $body;
	close $o;
	rename "$prefix.$n.tmp", "$prefix.$n";
	$n++;
	my $st = -e "$prefix.fail" ? "500 Internal Server Error" : "200 OK";
	print $c "HTTP/1.1 $st\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
	close $c;
}
