#!/usr/bin/perl
# SPDX-License-Identifier: MIT
#
# ktap-check.pl FILE: is FILE valid KTAP version 1 (the kernel's
# Documentation/dev-tools/ktap.rst)? Perl's TAP::Parser reads TAP 13, where
# the indented lines of a nested test are unknown lines that it skips; so
# every level is cut out, unindented and parsed on its own (its "KTAP
# version 1" given to TAP::Parser as "TAP version 13"), and KTAP's own rules
# are checked around it: each level starts with its version line, indented
# two spaces more than its parent; TAP::Parser finds no parse error and the
# plan met (unless a "Bail out!" line ends the output); a nested level is
# followed by its parent's test line, which is "not ok" exactly when a test
# of the level is (skips count as neither).
#
# Prints one line per test, "PATH<TAB>NUMBER<TAB>ok|not ok|skip<TAB>NAME"
# (PATH: the parents' names joined with " / ", "-" at the top), then
# "levels N, tests N, ok N, not ok N, skip N, bail out N". Exits 0 when
# valid, 1 with "ktap-check: ..." lines on standard error when not, 2 on
# usage errors.
use strict;
use warnings;
use TAP::Parser;

my $file = shift @ARGV;
if (!defined $file || @ARGV) {
	print STDERR "usage: ktap-check.pl FILE\n";
	exit 2;
}
open my $fh, '<', $file or do { print STDERR "ktap-check: $file: $!\n"; exit 2 };
my @lines = <$fh>;
close $fh;
chomp @lines;
my $bailed = grep { /^Bail out!/ } @lines;

my ($errors, %count) = (0);
sub problem { print STDERR "ktap-check: $file line $_[0]: $_[1]\n"; $errors++; }
sub indent_of { $_[0] =~ /^( *)/; return length $1; }
sub is_version { return $_[0] =~ /^ *KTAP version 1$/; }

# The level whose version line is $lines[$i], indented $depth spaces.
# Returns the index of the line after it, whether a test of it failed, and
# its tests: [path, number, state, name].
sub level {
	my ($i, $depth) = @_;
	my $first = $i + 1;
	my (@text, @where, %child);

	problem($first, "a level starts with 'KTAP version 1'") unless is_version($lines[$i]);
	push @text, "TAP version 13";
	push @where, $first;
	for ($i++; $i < @lines; $i++) {
		my $line = $lines[$i];
		my $ind = indent_of($line);

		last if $ind < $depth && $line =~ /\S/;
		if ($ind == $depth + 2 && is_version($line)) {
			my ($next, $failed, $tests) = level($i, $depth + 2);

			# its parent's test line is the next line of this level
			$child{scalar @text} = { failed => $failed, tests => $tests, line => $i + 1 };
			$i = $next - 1;
			next;
		}
		if ($ind > $depth && $line =~ /^ *(ok|not ok)\b/) {
			problem($i + 1, "a test line indented deeper than its level");
			next;
		}
		next if $ind != $depth;	# a diagnostic of no level, or an unknown line
		push @text, substr($line, $depth);
		push @where, $i + 1;
	}

	my $parser = TAP::Parser->new({ tap => join("\n", @text) . "\n" });
	my ($k, $failed, @tests) = (0, 0);
	while (my $r = $parser->next) {
		my $c = $child{$k};

		if ($c && !$r->is_test) {
			problem($c->{line}, "a nested level not followed by its parent's test line")
				unless $bailed && $r->is_bailout;
		}
		if ($r->is_test) {
			my $state = $r->has_skip ? 'skip' : $r->is_ok ? 'ok' : 'not ok';
			my $name = $r->description;

			$name =~ s/^\s*-?\s*//;
			$name =~ s/\s+#.*//;
			$failed ||= $state eq 'not ok';
			push @tests, [ '-', $r->number, $state, $name ];
			if ($c) {
				problem($where[$k], "'$state' but its subtests " .
					($c->{failed} ? "have a failure" : "have none"))
					if ($state eq 'not ok') != $c->{failed};
				for my $t (@{ $c->{tests} }) {
					$t->[0] = $t->[0] eq '-' ? $name : "$name / $t->[0]";
					push @tests, $t;
				}
			}
		}
		$k++;
	}
	for my $c (grep { $_ >= $k } keys %child) {
		problem($child{$c}{line}, "a nested level not followed by its parent's test line")
			unless $bailed;
	}
	# a run that bailed out may fall short of its plans
	problem($where[0], "TAP::Parser: $_")
		for grep { !$bailed || !/^Bad plan/ } $parser->parse_errors;
	$count{levels}++;
	return ($i, $failed, \@tests);
}

if (!@lines) {
	problem(1, "empty output");
} else {
	my ($end, $failed, $tests) = level(0, 0);

	problem($end + 1, "a line after the output's top level: '$lines[$end]'") if $end < @lines;
	for my $t (@$tests) {
		print join("\t", @$t), "\n";
		$count{$t->[2]}++;
		$count{tests}++;
	}
}
printf "levels %d, tests %d, ok %d, not ok %d, skip %d, bail out %d\n",
	(map { $count{$_} // 0 } 'levels', 'tests', 'ok', 'not ok', 'skip'), $bailed;
exit($errors ? 1 : 0);
