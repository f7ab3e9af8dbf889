# SPDX-License-Identifier: MIT
"""Exit statuses of mte-vm, and the error that ends a run with one of them.

Every script of the project uses the same convention (README "Exit statuses of the
scripts"): 0 done, 1 a check failed, 64 usage error, 69 the host cannot run it,
70 to 72 the guest failed, timed out or its kernel complained, 77 skipped,
130/143 stopped by SIGINT/SIGTERM. mte-vm passes the guest command's own status
through when the run was clean, so its own statuses stay at 64 and above.
"""
import sys

EX_OK = 0
EX_FAIL = 1
EX_USAGE = 64
EX_HOST = 69
EX_GUEST = 70
EX_KERNEL_REPORT = 71
EX_TIMEOUT = 72
EX_SKIP = 77
EX_SIGINT = 130
EX_SIGTERM = 143


class Failure(Exception):
	"""Ends mte-vm with STATUS after printing MESSAGE as one line."""

	def __init__(self, status, message):
		super().__init__(message)
		self.status = status


def usage_error(message):
	return Failure(EX_USAGE, message)


def host_error(message):
	return Failure(EX_HOST, message)


def say(message):
	print(f"mte-vm: {message}", file=sys.stderr, flush=True)


def words(status, command):
	"""How the closing line of a kernel's run names STATUS."""
	return {
		0: f"{command} exited 0",
		EX_TIMEOUT: "TIMEOUT",
		EX_KERNEL_REPORT: "KERNEL REPORTED A PROBLEM",
		EX_GUEST: "GUEST FAILED",
	}.get(status, f"{command} exited {status}")
