# SPDX-License-Identifier: MIT
"""QEMU: its version check, the guest's command line, and the wait for the guest."""
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

from . import stream
from .status import host_error, say

QEMU = "qemu-system-aarch64"
QEMU_MIN_MAJOR = 8
# pauth=off: pointer authentication is slow under TCG and MTE does not need it.
DEFAULT_CPU = "max,pauth=off"
# The guest's CPUs: the host's two cores (TCG runs a thread per vCPU).
GUEST_CPUS = 2
# The main job's lanes of cases (matrix --jobs): one more than the CPUs, since a lane
# spends part of each case waiting (on its worker, its disk, the other lanes' filesystem)
# and a third lane fills that time (6.1's default matrix, pairs in one boot: +0 to +44 %
# over two lanes, never slower; four lanes gain nothing more).
GUEST_LANES = GUEST_CPUS + 1
KERNEL_CMDLINE = "console=ttyAMA0 panic=-1 loglevel=5"
# A guest that has not started its job this long after QEMU started (or --timeout, if
# longer) is taken for hung at boot.
BOOT_TIMEOUT = 300


def check_version():
	qemu = shutil.which(QEMU)
	if not qemu:
		raise host_error(f"{QEMU} is not on PATH; run scripts/install-deps (qemu-system-arm from bookworm-backports)")
	out = subprocess.run([qemu, "--version"], capture_output=True, text=True).stdout
	m = re.search(r"^QEMU emulator version (\d+)\.([0-9.]*)", out, re.M)
	if not m:
		raise host_error(f"cannot tell the version of {qemu}; put {QEMU} >= {QEMU_MIN_MAJOR} first on PATH "
				 "(scripts/install-deps installs it from bookworm-backports)")
	if int(m.group(1)) < QEMU_MIN_MAJOR:
		raise host_error(f"{qemu} is QEMU {m.group(1)}.{m.group(2)}, older than {QEMU_MIN_MAJOR}.0 whose MTE emulation "
				 "gives false tag faults; install qemu-system-arm from bookworm-backports (scripts/install-deps) "
				 "and put it first on PATH")


def disk_args(serial, path, extra="", dev_extra=""):
	return ["-drive", f"if=none,id={serial},file={path},format=raw{extra}",
		"-device", f"virtio-blk-pci,drive={serial},serial={serial}{dev_extra}"]


def stream_args(path):
	"""A virtio serial port whose bytes QEMU writes to the host file PATH as they come
	(the guest's scripts/vm/stream sends the results on it while the job runs)."""
	return ["-device", "virtio-serial-pci,id=stream-bus",
		"-chardev", f"file,id=stream,path={path}",
		"-device", f"virtserialport,bus=stream-bus.0,chardev=stream,name={stream.PORT_NAME}"]


def command(kernel, initrd, console, results_img, fs_images, stream_file, cpu=DEFAULT_CPU, mte=True, slow_disk=None):
	"""The QEMU command line. FS_IMAGES: [(filesystem, pristine image)], opened copy-on-write;
	STREAM_FILE receives the results stream.
	--slow-disk: QEMU's I/O throttling on the filesystem disks (the results disk stays fast).
	The throttle admits any request while its bucket (a tenth of a second's worth) is not
	full, so one large request would pass at once and the next I/O would pay for it: QEMU
	must not merge requests, and the guest caps their size (initramfs.disk_max_kb)."""
	throttle = f",throttling.bps-total={slow_disk}" if slow_disk else ""
	nomerge = ",request-merging=off" if slow_disk else ""
	disks = disk_args("results", results_img)
	# the filesystem disks are throwaway snapshots: the guest's flushes (fsync, journal
	# commits) need not reach the host's disk (cache=unsafe); the guest issues them all
	for fs, image in fs_images:
		disks += disk_args(fs, image, ",snapshot=on,cache=unsafe" + throttle, nomerge)
	# -nodefaults: no default NIC or other devices to probe; the console goes to a file
	# (not stdio as with -nographic) so nothing touches the terminal and nothing is lost.
	return [QEMU, "-M", f"virt,mte={'on' if mte else 'off'}", "-cpu", cpu, "-smp", str(GUEST_CPUS), "-m", "1G",
		"-nodefaults", "-display", "none", "-monitor", "none", "-no-reboot",
		"-serial", f"file:{console}",
		"-kernel", kernel, "-initrd", initrd, "-append", KERNEL_CMDLINE] + disks + stream_args(stream_file)


class Guest:
	"""One boot. The guest kills its job --timeout seconds after the job starts, by its
	own clock, so a slow boot on a busy host takes nothing from the job and the guest
	always acts first. The host's deadline is only the backstop for a guest that stopped
	answering: until the guest says its job started, a boot limit; from then on, the
	job's limit, the guest's KILL_GRACE and time to ship the results and power off,
	which this run measures: twice the guest's own time to userspace (booting does more
	than shipping, and a busy host slows both alike).

	After run(): status ("ok", "timeout" or "qemu_failed"), timeout_why, and
	t_userspace, t_job, t_done (seconds since T0, the first two None if never)."""

	def __init__(self, argv, console, scratch, timeout, kill_grace, t0, label):
		self.argv, self.console, self.scratch = argv, console, scratch
		self.timeout, self.kill_grace, self.t0, self.label = timeout, kill_grace, t0, label
		self.proc = None

	def stop(self):
		"""SIGTERM, and SIGKILL if QEMU is still there 5 s later."""
		if not self.proc or self.proc.poll() is not None:
			return
		self.proc.terminate()
		try:
			self.proc.wait(5)
		except subprocess.TimeoutExpired:
			self.proc.kill()
			self.proc.wait()

	def console_text(self):
		try:
			with open(self.console, "rb") as f:
				return f.read().decode("utf-8", "replace")
		except OSError:
			return ""

	def run(self):
		open(self.console, "w").close()
		with open(os.path.join(self.scratch, "qemu-command.txt"), "w") as f:
			f.write(" ".join(shlex.quote(a) for a in self.argv) + " \n")
		qlog = open(os.path.join(self.scratch, "qemu.log"), "wb")
		self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=qlog, stderr=qlog,
					     env=dict(os.environ, TMPDIR=self.scratch), start_new_session=True)
		qlog.close()
		boot_limit = max(self.timeout, BOOT_TIMEOUT)
		deadline = time.time() + boot_limit
		self.timeout_why = f"the guest did not start its job within {boot_limit} s"
		self.t_userspace = self.t_job = None
		guest_boot = None
		self.status = "ok"
		while self.proc.poll() is None:
			# the two lines come early: a long console is not read again once both came
			text = self.console_text() if self.t_job is None else ""
			m = re.search(r"^mte-vm-guest: userspace at ([0-9.]+) s", text, re.M)
			if self.t_userspace is None and m:
				self.t_userspace = time.time() - self.t0
				guest_boot = float(m.group(1))
			if self.t_job is None and self.t_userspace is not None and re.search(r"^mte-vm-guest: job started", text, re.M):
				self.t_job = time.time() - self.t0
				ship = math.ceil(2 * (guest_boot or 0))
				deadline = time.time() + self.timeout + self.kill_grace + ship
				self.timeout_why = (f"the guest did not end its job within {self.timeout} s and ship the "
						    f"results within {self.kill_grace + ship} s more")
			if time.time() >= deadline:
				self.status = "timeout"
				self.stop()
				break
			time.sleep(0.1)
		rc = self.proc.wait()
		self.proc = None
		self.t_done = time.time() - self.t0
		if self.t_userspace is None and re.search(r"^mte-vm-guest: userspace", self.console_text(), re.M):
			self.t_userspace = self.t_done
		if self.status == "ok" and rc != 0:
			self.status = "qemu_failed"
			say(f"{self.label}: {QEMU} exited with status {rc}:")
			with open(os.path.join(self.scratch, "qemu.log"), errors="replace") as f:
				log = f.read()
			for line in log.splitlines():
				print("  " + line, file=sys.stderr)
			if "MTE requested, but not supported by the guest CPU" in log:
				cpu = self.argv[self.argv.index("-cpu") + 1]
				say(f"{self.label}: the CPU model {cpu} has no MTE: add --no-mte for a machine without it, "
				    "or give --cpu max")
