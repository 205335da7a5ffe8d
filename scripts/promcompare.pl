#!/usr/bin/perl
# promcompare.pl - run PromQL queries through Prometheus and mquery, compare
# SPDX-License-Identifier: MIT
#
# usage: perl promcompare.pl -u URL -t TIME[,TIME...] [-r START,END,STEP ...]
#            [-v] [-- mquery args...] < queries.txt
#
# Each query (one per line; blank lines and '#' comments skipped) is run
# as an instant query at every TIME and as each range query, through
# Prometheus' HTTP API at URL (with curl) and through "mquery -o
# prom-json ARGS" (say, -d store), and the answers are compared: the
# same result type, the same series (by labels), the same timestamps,
# and values equal within a relative 1e-9 (NaN equals NaN), or both
# failing.  Instant vectors are compared as sets, but for sort() and
# sort_desc(), whose order matters.  A query written with a leading "~ "
# is a documented deviation: it is run and reported, never counted as a
# failure.  Prints one line per difference and a summary; exits 1 if an
# undocumented difference was found.
use strict;
use warnings;
use JSON::PP;
use File::Temp qw(tempfile);
use HTTP::Tiny;

my ($url, @times, @ranges, $verbose);
while (@ARGV && $ARGV[0] =~ /^-/) {
	my $o = shift @ARGV;
	last if $o eq '--';
	if ($o eq '-u') { $url = shift @ARGV }
	elsif ($o eq '-t') { @times = split /,/, shift @ARGV }
	elsif ($o eq '-r') { push @ranges, [split /,/, shift @ARGV] }
	elsif ($o eq '-v') { $verbose = 1 }
	else { die "promcompare: unknown option $o\n" }
}
my @mquery = ('mquery', @ARGV);
die "usage: promcompare.pl -u URL -t TIMES -r START,END,STEP [-- args]\n"
    unless $url && (@times || @ranges);

my $json = JSON::PP->new->allow_nonref;
my ($tmp_fh, $tmp) = tempfile(UNLINK => 1);
my ($err_fh, $errf) = tempfile(UNLINK => 1);

# Run a command; returns (exit status, stdout, stderr).
sub run {
	my @cmd = @_;
	my $pid = fork() // die "fork: $!";
	if ($pid == 0) {
		open(STDOUT, '>', $tmp) or die;
		open(STDERR, '>', $errf) or die;
		exec(@cmd) or exit 127;
	}
	waitpid($pid, 0);
	my $st = $? >> 8;
	local $/;
	open(my $o, '<', $tmp) or die;
	my $out = <$o>;
	open(my $e, '<', $errf) or die;
	my $err = <$e>;
	return ($st, $out // '', $err // '');
}

my $http = HTTP::Tiny->new(keep_alive => 1, timeout => 60);

sub prom {
	my ($q, @params) = @_;
	my $path = @params == 1 ? 'query' : 'query_range';
	my %form = (query => $q);
	if (@params == 1) {
		$form{time} = $params[0];
	} else {
		@form{qw(start end step)} = @params;
	}
	# GET: a POST goes out in two packets and waits on delayed ACKs.
	my $r = $http->get("$url/api/v1/$path?" . $http->www_form_urlencode(\%form));
	my $d = eval { $json->decode($r->{content}) };
	return { status => 'error', error => "HTTP $r->{status}: $r->{content}" } unless $d;
	return $d;
}

sub mq {
	my ($q, @params) = @_;
	my @args = (@mquery, '-o', 'prom-json');
	if (@params == 1) {
		push @args, '--time', $params[0];
	} else {
		push @args, '--start', $params[0], '--end', $params[1], '--step', $params[2];
	}
	my ($st, $out, $err) = run(@args, '--', $q);
	if ($st) {
		$err =~ s/^mquery: //;
		chomp $err;
		return { status => 'error', error => $err };
	}
	my $d = eval { $json->decode($out) };
	return { status => 'error', error => "bad JSON from mquery: $@" } unless $d;
	return { status => 'success', data => $d };
}

sub key {
	my ($m) = @_;
	return join(',', map { "$_=\"$m->{$_}\"" } sort keys %$m);
}

sub same_value {
	my ($a, $b) = @_;
	return 1 if $a eq $b;
	return 1 if $a eq 'NaN' && $b eq 'NaN';
	return 0 if $a =~ /Inf|NaN/ || $b =~ /Inf|NaN/;
	my $d = abs($a - $b);
	my $m = abs($a) > abs($b) ? abs($a) : abs($b);
	return $d <= 1e-9 * $m || $d < 1e-12;
}

sub same_point {
	my ($a, $b) = @_;
	return "time $a->[0] vs $b->[0]" if $a->[0] != $b->[0];
	return "value $a->[1] vs $b->[1]" unless same_value($a->[1], $b->[1]);
	return undef;
}

# Compare Prometheus' data 'p' with mquery's 'm'; undef when they agree.
sub compare {
	my ($q, $p, $m) = @_;
	return "result type $p->{resultType} vs $m->{resultType}"
	    if $p->{resultType} ne $m->{resultType};
	my $t = $p->{resultType};
	if ($t eq 'scalar' || $t eq 'string') {
		return same_point($p->{result}, $m->{result}) if $t eq 'scalar';
		return $p->{result}[1] eq $m->{result}[1] ? undef : 'string differs';
	}
	my (%ps, %ms);
	for my $s (@{$p->{result}}) { $ps{key($s->{metric})} = $s }
	for my $s (@{$m->{result}}) { $ms{key($s->{metric})} = $s }
	for my $k (sort keys %ps) {
		return "missing series {$k}" unless $ms{$k};
	}
	for my $k (sort keys %ms) {
		return "extra series {$k}" unless $ps{$k};
	}
	if ($t eq 'vector') {
		for my $k (sort keys %ps) {
			my $d = same_point($ps{$k}{value}, $ms{$k}{value});
			return "{$k}: $d" if $d;
		}
		if ($q =~ /^\s*sort(_desc)?\s*\(/) {
			my @pv = map { $_->{value}[1] } @{$p->{result}};
			my @mv = map { $_->{value}[1] } @{$m->{result}};
			for my $i (0 .. $#pv) {
				return "order differs at $i: $pv[$i] vs $mv[$i]"
				    unless same_value($pv[$i], $mv[$i]);
			}
		}
		return undef;
	}
	for my $k (sort keys %ps) {
		my ($a, $b) = ($ps{$k}{values}, $ms{$k}{values});
		return "{$k}: " . scalar(@$a) . " points vs " . scalar(@$b) if @$a != @$b;
		for my $i (0 .. $#$a) {
			my $d = same_point($a->[$i], $b->[$i]);
			return "{$k} point $i: $d" if $d;
		}
	}
	# A range query's series are sorted by labels, in both.
	if ($t eq 'matrix') {
		my @pk = map { key($_->{metric}) } @{$p->{result}};
		my @mk = map { key($_->{metric}) } @{$m->{result}};
		return "series order differs" if join("\n", @pk) ne join("\n", @mk) &&
		    $p->{result}[0]{values};
	}
	return undef;
}

my ($nq, $nev, $nmatch, $ndev, $nfail, $nerr) = (0, 0, 0, 0, 0, 0);
while (my $line = <STDIN>) {
	chomp $line;
	next if $line =~ /^\s*(#|$)/;
	my $deviation = $line =~ s/^~\s+//;
	$nq++;
	my @evals = map { [$_] } @times;
	push @evals, @ranges;
	for my $e (@evals) {
		my $what = @$e == 1 ? "instant \@$e->[0]" : "range $e->[0]..$e->[1] step $e->[2]";
		my $p = prom($line, @$e);
		my $m = mq($line, @$e);
		my $diff;
		$nev++;
		if ($p->{status} ne 'success' || $m->{status} ne 'success') {
			if ($p->{status} ne $m->{status}) {
				$diff = $p->{status} eq 'success' ?
				    "mquery failed: $m->{error}" :
				    "Prometheus failed ($p->{error}), mquery did not";
			} else {
				$nerr++;
				print "# note: $what: $line: errors differ:\n#   prometheus: $p->{error}\n#   mquery:     $m->{error}\n"
				    if $verbose && index($m->{error}, $p->{error}) < 0;
			}
		} else {
			$diff = compare($line, $p->{data}, $m->{data});
		}
		if (!defined $diff) {
			$nmatch++;
			next;
		}
		if ($deviation) {
			$ndev++;
			print "deviation: $what: $line: $diff\n" if $verbose;
		} else {
			$nfail++;
			print "DIFF: $what: $line: $diff\n";
		}
	}
}
print "# $nq queries, $nev evaluations: $nmatch match ($nerr both errors), " .
    "$ndev documented deviations, $nfail differences\n";
exit($nfail ? 1 : 0);
