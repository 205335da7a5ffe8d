#!/usr/bin/perl
# serve_cmp.pl - how far two answers of /api/v1/query_range agree
# SPDX-License-Identifier: MIT
#
# usage: perl serve_cmp.pl TOLERANCE PROMETHEUS.json MTK.json
#
# Prints one line: the series of each answer (by labels) and those in
# both, the points of each and the points of common series at the same
# times, how many of those agree within the relative TOLERANCE (NaN
# equals NaN), and the largest relative difference.  Exits 1 when the
# answers have different series or points, or a value is off by more
# than TOLERANCE.
use strict;
use warnings;
use JSON::PP;

my ($tol, $pf, $mf) = @ARGV;
die "usage: serve_cmp.pl TOLERANCE PROMETHEUS.json MTK.json\n" unless defined $mf;

sub load {
	my ($f) = @_;
	open(my $fh, '<', $f) or die "serve_cmp: $f: $!\n";
	local $/;
	my $d = JSON::PP->new->decode(<$fh>);
	die "serve_cmp: $f: not a matrix\n" unless $d->{data}{resultType} eq 'matrix';
	my %s;
	for my $x (@{$d->{data}{result}}) {
		my $m = $x->{metric};
		my $k = join(',', map { "$_=$m->{$_}" } sort keys %$m);
		$s{$k} = { map { $_->[0] => $_->[1] } @{$x->{values}} };
	}
	return \%s;
}

my ($p, $m) = (load($pf), load($mf));
my ($np, $nm, $both, $pp, $pm, $same_t, $ok, $max) = (0, 0, 0, 0, 0, 0, 0, 0);
$np = keys %$p;
$nm = keys %$m;
$pp += keys %{$p->{$_}} for keys %$p;
$pm += keys %{$m->{$_}} for keys %$m;
for my $k (keys %$p) {
	next unless $m->{$k};
	$both++;
	for my $t (keys %{$p->{$k}}) {
		next unless exists $m->{$k}{$t};
		$same_t++;
		my ($a, $b) = ($p->{$k}{$t}, $m->{$k}{$t});
		my $d;
		if ($a eq $b || ($a =~ /NaN/ && $b =~ /NaN/)) {
			$d = 0;
		} elsif ($a =~ /Inf|NaN/ || $b =~ /Inf|NaN/) {
			$d = 1e300;
		} else {
			my $s = abs($a) > abs($b) ? abs($a) : abs($b);
			$d = abs($a - $b) / ($s > 0 ? $s : 1);
		}
		$ok++ if $d <= $tol;
		$max = $d if $d > $max;
	}
}
printf "series %d/%d (%d in both), points %d/%d (%d at the same times), " .
    "%d within %g, largest difference %.2g\n",
    $np, $nm, $both, $pp, $pm, $same_t, $ok, $tol, $max;
exit($np == $nm && $both == $np && $pp == $pm && $same_t == $pp &&
    $ok == $same_t ? 0 : 1);
