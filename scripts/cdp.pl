#!/usr/bin/perl
# cdp.pl - load a page in headless chromium, wait for it, dump its DOM and a screenshot
# SPDX-License-Identifier: MIT
#
# usage: perl cdp.pl [-b browser] [-s WxH] [-t seconds] URL UNTIL DOM PNG
#
# Starts the browser (default chromium) headless, talking the DevTools
# protocol over a pipe (--remote-debugging-pipe: JSON messages ending
# in a NUL byte, commands on fd 3, answers on fd 4), opens URL, and
# evaluates the JavaScript expression UNTIL every 100 ms until it is
# true (at most -t seconds, default 30): a page that streams updates is
# looked at once it has had them, not after a guessed sleep.  Then the
# DOM (document.documentElement.outerHTML) goes to the file DOM and a
# screenshot of the window (-s, default 1000x800) to the file PNG.
# Exits 0, 1 when UNTIL stayed false or the browser failed, 2 when the
# browser cannot be started at all (for a test to skip).
use strict;
use warnings;
use Getopt::Std;
use IO::Handle;
use JSON::PP;
use MIME::Base64;
use POSIX qw(:sys_wait_h dup2);
use Time::HiRes qw(sleep time);

my %o = (b => 'chromium', s => '1000x800', t => 30);
getopts('b:s:t:', \%o) && @ARGV == 4 or
    die "usage: cdp.pl [-b browser] [-s WxH] [-t seconds] URL UNTIL DOM PNG\n";
my ($url, $until, $dom, $png) = @ARGV;
my ($w, $h) = $o{s} =~ /^(\d+)x(\d+)$/ or die "cdp.pl: bad size '$o{s}'\n";

# The pipes are made without close-on-exec: the browser takes two of
# them, as fds 3 and 4 (one of them may be 3 already).
$^F = 255;
pipe(my $cmd_r, my $cmd_w) or die "pipe: $!";
pipe(my $ans_r, my $ans_w) or die "pipe: $!";
my $profile = "cdp-profile.$$";
my $pid = fork() // die "fork: $!";
if ($pid == 0) {
	close $cmd_w;
	close $ans_r;
	dup2(fileno($cmd_r), 3) or die "dup2: $!";
	dup2(fileno($ans_w), 4) or die "dup2: $!";
	open(STDOUT, '>', '/dev/null');
	open(STDERR, '>', "cdp-browser.log");
	exec($o{b}, '--headless', '--no-sandbox', '--disable-gpu',
	    '--no-first-run', '--remote-debugging-pipe',
	    "--user-data-dir=$profile", "--window-size=$w,$h",
	    'about:blank') or exit 127;
}
close $cmd_r;
close $ans_w;
$cmd_w->autoflush(1);
# A browser that is gone is told by print failing, not by SIGPIPE.
$SIG{PIPE} = 'IGNORE';

my $json = JSON::PP->new->utf8->canonical;
my $next_id = 0;
my $buf = '';

sub bye {
	my ($code, $msg) = @_;
	print STDERR "cdp.pl: $msg\n" if defined $msg;
	{
		# Its end of the pipe may be gone: that is no news.
		local $SIG{__WARN__} = sub { };
		close $cmd_w;
	}
	kill 'TERM', $pid;
	waitpid($pid, 0);
	system('rm', '-rf', $profile);
	exit $code;
}

# send(METHOD, PARAMS, SESSION): the answer's result, or dies with its error.
sub send_cmd {
	my ($method, $params, $session) = @_;
	my $id = ++$next_id;
	my %m = (id => $id, method => $method, params => $params // {});
	$m{sessionId} = $session if defined $session;
	print $cmd_w $json->encode(\%m), "\0" or bye(2, "the browser went away");
	for (;;) {
		while ((my $i = index($buf, "\0")) >= 0) {
			my $msg = $json->decode(substr($buf, 0, $i));
			substr($buf, 0, $i + 1) = '';
			next unless defined $msg->{id} && $msg->{id} == $id;
			die "$method: $msg->{error}{message}\n" if $msg->{error};
			return $msg->{result};
		}
		my $n = sysread($ans_r, $buf, 1 << 16, length $buf);
		bye(2, "the browser went away (see cdp-browser.log)") unless $n;
	}
}

my $t = eval {
	send_cmd('Target.createTarget', { url => 'about:blank' })->{targetId};
};
bye(2, "cannot start $o{b}: " . ($@ || 'no target')) unless $t;
my $s = send_cmd('Target.attachToTarget', { targetId => $t, flatten => JSON::PP::true })
    ->{sessionId};
send_cmd('Page.enable', {}, $s);
send_cmd('Page.navigate', { url => $url }, $s);

sub js {
	my ($expr) = @_;
	my $r = send_cmd('Runtime.evaluate',
	    { expression => $expr, returnByValue => JSON::PP::true }, $s);
	die "$expr: $r->{exceptionDetails}{text}\n" if $r->{exceptionDetails};
	return $r->{result}{value};
}

my $deadline = time + $o{t};
my $ok = 0;
while (time < $deadline) {
	last if $ok = eval { js($until) };
	sleep 0.1;
}
open(my $f, '>:utf8', $dom) or bye(1, "$dom: $!");
print $f js('document.documentElement.outerHTML');
close $f;
my $shot = send_cmd('Page.captureScreenshot', { format => 'png' }, $s);
open($f, '>:raw', $png) or bye(1, "$png: $!");
print $f decode_base64($shot->{data});
close $f;
eval { send_cmd('Browser.close') };
bye($ok ? 0 : 1, $ok ? undef : "'$until' was still false after $o{t} s");
