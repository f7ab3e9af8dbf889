# SPDX-License-Identifier: MIT
"""Where a run's results go, what came back from the guest, what the kernel complained
about on its console, and the run's exit status."""
import datetime
import os
import re
import shutil
import sys
import tarfile

from . import status as st
from . import stream
from .status import host_error, usage_error, say

# Where each run's results go without --out: RESULTS_ROOT/KERNEL/<UTC start time>.
RESULTS_ROOT = "mteprobe-results"
# What a guest console must never show: oops, BUG, WARNING, hung task, panic, RCU stall.
KERNEL_REPORT_RE = re.compile(r"Oops|BUG:|kernel BUG at|WARNING:|INFO: task .* blocked for more than|Kernel panic|"
			      r"Unable to handle kernel|rcu: INFO: .*detected stalls|self-detected stall")
TIMESTAMP_RE = re.compile(r"^\[[ 0-9.]*\] *")


def make_fresh_dir(parent, name):
	"""Makes PARENT/NAME, or PARENT/NAME-2, -3, ... when taken: mkdir(2) fails on an
	existing directory, so no run ever reuses another's."""
	try:
		os.makedirs(parent, exist_ok=True)
	except OSError:
		raise host_error(f"cannot create {parent}; choose another --out or fix its permissions")
	n, d = 1, os.path.join(parent, name)
	while True:
		try:
			os.mkdir(d)
			return d
		except FileExistsError:
			n += 1
			d = os.path.join(parent, f"{name}-{n}")
		except OSError:
			raise host_error(f"cannot create {d}; choose another --out or fix its permissions")


def check_out_arg(out, fix=f"or drop --out to keep each run under {RESULTS_ROOT}/KERNEL/"):
	"""--out must be a new or an empty directory (not a link): nothing in it is touched.
	FIX ends the error's advice."""
	if out and (os.path.lexists(out)):
		if not os.path.isdir(out) or os.path.islink(out):
			raise usage_error(f"--out {out} exists and is not a directory; give a new directory, {fix}")
		if os.listdir(out):
			raise usage_error(f"--out {out} exists and is not empty; give a new or empty directory, {fix}")


def make_result_dir(out, label, several):
	"""(this run's result directory, whether mte-vm made it): --out DIR itself (new or
	empty), DIR/KERNEL with several kernels, by default RESULTS_ROOT/KERNEL/<UTC start
	time>. A directory mte-vm made is removed at exit while still empty."""
	if not out:
		return make_fresh_dir(os.path.join(RESULTS_ROOT, label),
				      datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")), True
	if several:
		return make_fresh_dir(out, label), True
	if not os.path.isdir(out):
		try:
			os.makedirs(out)
		except OSError:
			raise host_error(f"cannot create {out}; choose another --out or fix its permissions")
		return out, True
	if os.listdir(out):
		raise usage_error(f"--out {out} is no longer empty; give a new or empty directory")
	return out, False


def point_latest(run_dir, label):
	"""Points RESULTS_ROOT/KERNEL/latest at RUN_DIR atomically: the new link is made under
	a temporary name and renamed over the old one. A latest that is no link of ours is
	left alone."""
	parent = os.path.dirname(run_dir)
	link = os.path.join(parent, "latest")
	if os.path.lexists(link) and not os.path.islink(link):
		say(f"{label}: {link} is not mte-vm's link; left alone")
		return
	tmp = os.path.join(parent, f".latest.{os.getpid()}")
	try:
		if os.path.lexists(tmp):
			os.unlink(tmp)
		os.symlink(os.path.basename(run_dir), tmp)
		os.replace(tmp, link)
	except OSError:
		say(f"{label}: cannot update {link}")


def read_text(path):
	try:
		with open(path, "rb") as f:
			return f.read().decode("utf-8", "replace").replace("\r", "")
	except OSError:
		return None


def kernel_problems(console, dmesg):
	"""The kernel's complaints in the console and dmesg texts, each once, timestamps cut;
	and (log name, the lines from the first report on, at most 30) of the first log that
	has one. dmesg has every level; the console only warnings and worse, but also what
	came after the results were shipped."""
	hits, seen = [], set()
	for text in (console or "", dmesg or ""):
		for line in text.splitlines():
			if KERNEL_REPORT_RE.search(line):
				line = TIMESTAMP_RE.sub("", line)
				if line not in seen:
					seen.add(line)
					hits.append(line)
	excerpt = None
	for name, text in (("dmesg.txt", dmesg), ("console.log", console)):
		lines = (text or "").splitlines()
		first = next((i for i, l in enumerate(lines) if KERNEL_REPORT_RE.search(l)), None)
		if first is not None:
			excerpt = (name, lines[first:first + 30])
			break
	return hits, excerpt


def run_status(guest_status, timed_out_in_guest, kernel_problem, job_status):
	"""The run's exit status; precedence: timeout, kernel report, no results, the job's."""
	if guest_status == "timeout" or timed_out_in_guest:
		return st.EX_TIMEOUT
	if kernel_problem:
		return st.EX_KERNEL_REPORT
	if job_status is None:
		return st.EX_GUEST
	return job_status


def extract_results(results_img, dest):
	"""The guest's /results, written as a tar stream onto the raw results disk. Members
	that would land outside DEST, links and devices are skipped: the guest is not trusted
	with the host's files."""
	try:
		with tarfile.open(results_img, "r:") as tar:
			for m in tar:
				name = os.path.normpath(m.name)
				if name.startswith("..") or os.path.isabs(name) or not (m.isfile() or m.isdir()):
					continue
				if name == ".":
					continue
				target = os.path.join(dest, name)
				if m.isdir():
					os.makedirs(target, exist_ok=True)
					continue
				try:
					os.makedirs(os.path.dirname(target), exist_ok=True)
					with open(target, "xb") as out:	# never over a file of the host's
						out.write(tar.extractfile(m).read())
				except OSError:
					continue
	except (tarfile.TarError, OSError, EOFError):
		pass	# an empty or torn results disk: what came is kept


def last_console_lines(label, path):
	say(f"{label}: last console lines (full log: {path}):")
	for line in (read_text(path) or "").splitlines()[-25:]:
		print("  " + line, file=sys.stderr)


def collect(dest, scratch, guest, label, command, timeout):
	"""Copies the guest's results to DEST, prints the job's output, reports the kernel's
	complaints and returns the run's status."""
	for f in ("console.log", "qemu-command.txt"):
		shutil.copyfile(os.path.join(scratch, f), os.path.join(dest, f))
	qlog = os.path.join(scratch, "qemu.log")
	if os.path.exists(qlog) and os.path.getsize(qlog) > 0:
		shutil.copyfile(qlog, os.path.join(dest, "qemu.log"))
	extract_results(os.path.join(scratch, "results.img"), dest)
	# A guest that shipped its results disk says so on the console: the disk is the
	# final word. Otherwise the stream is all there is (no stream at all: a kernel
	# without a virtio console, the disk alone as before).
	shipped = re.search(r"^mte-vm-guest: results shipped", read_text(os.path.join(dest, "console.log")) or "", re.M)
	streamed = stream.read(os.path.join(scratch, "stream.bin"))
	cut_short = bool(streamed.files) and not shipped
	kept = stream.keep(streamed, dest) if cut_short else []
	out = read_text(os.path.join(dest, "mteprobe.stdout"))
	if out is not None:
		sys.stdout.write(out)
		sys.stdout.flush()
	err = read_text(os.path.join(dest, "mteprobe.stderr"))
	if err is not None:
		sys.stderr.write(err)
		sys.stderr.flush()
	for line in (read_text(os.path.join(dest, "filesystems.txt")) or "").splitlines():
		w = line.split(" ", 2)
		if len(w) >= 2 and w[1] == "failed":
			say(f"{label}: {w[0]} failed to mount in the guest: {w[2] if len(w) > 2 else ''} (the run went on without it)")
	for line in (read_text(os.path.join(dest, "modules-failed.txt")) or "").splitlines():
		say(f"{label}: module failed to load: {line}")
	note = read_text(os.path.join(dest, "mte-vm-note.txt"))
	if note is not None:
		say(f"{label}: guest: {note.strip()}")

	console = os.path.join(dest, "console.log")
	hits, excerpt = kernel_problems(read_text(console), read_text(os.path.join(dest, "dmesg.txt")))
	if hits:
		say(f"{label}: the kernel reported a problem during the run:")
		for h in hits:
			print("  " + h, file=sys.stderr)
		say(f"{label}: {excerpt[0]} from the first report on (all of it: {os.path.join(dest, excerpt[0])}):")
		for line in excerpt[1]:
			print("  " + line, file=sys.stderr)
	guest_limit = read_text(os.path.join(dest, "mteprobe.timeout"))
	job = read_text(os.path.join(dest, "mteprobe.status"))
	# a job's status that came only on the stream is no clean run's
	job_status = int(job) if job and job.strip().isdigit() and not cut_short else None
	status = run_status(guest.status, guest_limit is not None, bool(hits), job_status)
	if guest.status == "timeout":
		say(f"{label}: {guest.timeout_why}: killed by the host")
		last_console_lines(label, console)
	elif guest_limit is not None:
		say(f"{label}: {command} did not finish within {guest_limit.strip()} s and was killed in the guest")
	elif status == st.EX_GUEST and not cut_short:
		say(f"{label}: the guest stopped without returning results ({guest.status})")
		last_console_lines(label, console)
	if cut_short:
		say(f"{label}: {how_it_ended(guest, hits)}; {kept_summary(kept, streamed.error)}")
	return status


def how_it_ended(guest, hits):
	"""How a run whose guest never shipped its results disk ended, in a few words."""
	how = []
	if hits:
		how.append(f"a kernel problem: {hits[0].rstrip(':')}")
	if guest.status == "timeout":
		how.append("the host's timeout")
	elif guest.status == "qemu_failed":
		how.append("QEMU failing")
	if not how:
		how.append("a guest that stopped without shipping its results")
	return "ended by " + ", then ".join(how)


def kept_summary(kept, error):
	rows = sum(r for _, r in kept)
	s = f"{rows} row{'' if rows == 1 else 's'} kept from the stream"
	with_rows = [name for name, r in kept if r]
	if with_rows:
		s += f" (in {', '.join(with_rows)}; {len(kept)} files in all)"
	else:
		s += f" ({len(kept)} files)"
	if error:
		s += f"; the stream broke off: {error}"
	return s
