#!/usr/bin/perl
# rollcheck.pl - check a rolled tier against aggregates computed from raw
#
# usage: perl rollcheck.pl RAW.jsonl RES:AGG:UNTIL:ROLLED.jsonl ...
#
# RAW.jsonl is the stream that went into the store (canonical lines);
# each ROLLED.jsonl is `mquery --tier T --agg AGG -o jsonl` of every
# series, for a tier of resolution RES seconds.  Computes, for each series
# and window [t - RES, t), the aggregate AGG (count sum min max last avg
# p50 p95 p99 counter) directly from the samples, the way mroll(1)
# documents it, and compares: exactly up to a relative 1e-9 (sums added
# in another order), quantiles within 1% of the observation of rank
# floor(q(n-1)).  Only windows ending by UNTIL (ms) are expected: those
# mroll has rolled.  Prints each difference; exits 1 if there is one.
use strict;
use warnings;
use JSON::PP;
use POSIX qw(floor);

my ($rawf, @checks) = @ARGV;
die "usage: rollcheck.pl RAW RES:AGG:UNTIL:ROLLED ...\n" unless @checks;
my $json = JSON::PP->new;
my ($res, $agg, $until);

# A canonical line, by pattern (much faster than JSON::PP), else JSON::PP.
sub parse {
	my ($line) = @_;
	if ($line =~ /^\{"name":"([^"\\]*)"(?:,"type":"(\w+)")?,"value":("?)([^,"]*)\3,"ts":(-?\d+)(?:,"labels":\{(.*?)\})?\}$/) {
		my ($name, $type, $value, $ts, $labels) = ($1, $2, $4, $5, $6);
		my %l = defined $labels ?
		    ($labels =~ /"([^"\\]*)":"([^"\\]*)"/g) : ();
		return { name => $name, type => $type, value => $value,
		    ts => $ts, labels => \%l };
	}
	return $json->decode($line);
}

sub num {
	my ($v) = @_;
	return 9**9**9 if $v eq '+Inf';
	return -9**9**9 if $v eq '-Inf';
	return 'nan' if $v eq 'NaN';
	return $v;
}

sub series_id {
	my ($r) = @_;
	my $l = $r->{labels} || {};
	return join("\0", $r->{name}, map { "$_=$l->{$_}" } sort keys %$l);
}

# Samples per series, last write wins per timestamp.
my (%samples, %type);
open(my $in, '<', $rawf) or die "$rawf: $!";
while (<$in>) {
	my $r = parse($_);
	my $id = series_id($r);
	$samples{$id}{$r->{ts}} = num($r->{value});
	$type{$id} = $r->{type} || 'gauge';
}
close($in);

sub wend {
	my ($t) = @_;
	return floor($t / $res) * $res + $res;
}

my %want;
sub compute {
%want = ();
for my $id (keys %samples) {
	my @ts = sort { $a <=> $b } keys %{$samples{$id}};
	my ($cum, $prev, $c0) = (0, undef, undef);
	my %win;
	for my $t (@ts) {
		my $v = $samples{$id}{$t};
		push @{$win{wend($t)}}, $v;
		if ($v ne 'nan') {
			$cum += defined $prev ? ($v >= $prev ? $v - $prev : $v) : 0;
			$prev = $v;
		}
		$want{$id}{wend($t)}{cum} = $cum;
		$want{$id}{wend($t)}{lastv} = $prev;
	}
	for my $e (keys %win) {
		my @v = @{$win{$e}};
		my @num = grep { $_ ne 'nan' } @v;
		my ($sum, $min, $max) = (0, undef, undef);
		my $nan = @num != @v;
		$sum += $_ for @num;
		for (@num) {
			$min = $_ if !defined $min || $_ < $min;
			$max = $_ if !defined $max || $_ > $max;
		}
		my %a = (count => scalar @v, sum => $nan ? 'nan' : $sum,
		    min => $min // 'nan', max => $max // 'nan', last => $v[-1]);
		# A counter's last is its last value that is not NaN.
		$a{last} = $num[-1] if $type{$id} eq 'counter' && @num;
		$a{avg} = $nan ? 'nan' : $sum / @v;
		my @s = sort { $a <=> $b } @num;
		for my $q ([p50 => 0.5], [p95 => 0.95], [p99 => 0.99]) {
			$a{$q->[0]} = @s && $type{$id} eq 'histogram' ?
			    $s[floor($q->[1] * (@s - 1))] : 'nan';
		}
		$want{$id}{$e}{$_} = $a{$_} for keys %a;
	}
	# The rebuilt counter: each window adds its increase, placed so that
	# the last window rolled (by UNTIL) gives the counter's last value.
	my @ends = grep { !defined $until || $_ <= $until }
	    sort { $a <=> $b } keys %win;
	@ends = grep { defined $want{$id}{$_}{lastv} } @ends;
	if ($type{$id} eq 'counter' && @ends) {
		my $base = $want{$id}{$ends[-1]}{lastv} - $want{$id}{$ends[-1]}{cum};
		$want{$id}{$_}{counter} = $base + $want{$id}{$_}{cum} for keys %win;
	}
}
}

my $bad = 0;
my %seen;
my $computed = -1;
sub differ {
	my ($w, $g) = @_;
	return ($w eq 'nan') != ($g eq 'nan') if $w eq 'nan' || $g eq 'nan';
	return 0 if $w == $g;
	my $tol = $agg =~ /^p/ ? 0.01 : 1e-9;
	return abs($w - $g) > $tol * (abs($w) > abs($g) ? abs($w) : abs($g));
}
for my $c (@checks) {
my ($r_s, $a, $u, $rolledf) = split(/:/, $c, 4);
($res, $agg, $until) = ($r_s * 1000, $a, $u);
compute() if $computed ne "$res:" . ($until // '');
$computed = "$res:" . ($until // '');
%seen = ();
open(my $got, '<', $rolledf) or die "$rolledf: $!";
while (<$got>) {
	my $r = parse($_);
	my $id = series_id($r);
	my $k = $agg eq 'counter' && $type{$id} ne 'counter' ? 'last' : $agg;
	my $w = $want{$id}{$r->{ts}}{$k};
	my $g = num($r->{value});
	$seen{$id}{$r->{ts}} = 1;
	if (!defined $w) {
		print "unexpected: $r->{name} $r->{ts} $g ($rolledf)\n";
		$bad++;
	} elsif (differ($w, $g)) {
		print "$r->{name} ", $json->encode($r->{labels} || {}),
		    " $r->{ts} $agg: want $w, got $g ($rolledf)\n";
		$bad++;
	}
}
close($got);
for my $id (keys %want) {
	for my $e (keys %{$want{$id}}) {
		next if $seen{$id}{$e} || (defined $until && $e > $until);
		(my $name = $id) =~ s/\0.*//s;
		print "missing: $name $e ($rolledf)\n";
		$bad++;
	}
}
}
print "$bad differences\n" if $bad;
exit($bad ? 1 : 0);
