# SPDX-License-Identifier: MIT
"""mte-vm: the command line, the host's setup and the run under each kernel."""
import fcntl
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

from . import debian, initramfs, kernels, qemu, results
from . import status as st
from .modules import ModuleTree, guest_module_list
from .status import Failure, host_error, usage_error, say

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_JOB = ["mteprobe", "matrix", "--jobs", str(qemu.GUEST_LANES), "-o", "matrix.csv"]
RESULTS_DISK_SIZE = "1G"
DEFAULT_TIMEOUT = 600
# The guest's wait, after it SIGKILLs a job over its time limit, before it ships what
# there is (a task stuck in the kernel may not die).
KILL_GRACE = 10
# Tools mte-vm runs on the host; scripts/install-deps installs them all.
HOST_TOOLS = ("qemu-system-aarch64 apt-get apt-cache dpkg dpkg-deb xz cpio depmod modprobe flock meson "
	      "aarch64-linux-gnu-gcc aarch64-linux-gnu-readelf zstd mkfs.btrfs mkfs.ext4 mkfs.xfs mkfs.f2fs mkfs.gfs2").split()

USAGE = f"""usage: mte-vm [--kernel NAME|IMAGE [--modules DIR]] [--kernels K1,K2,...]
              [--cpu MODEL] [--no-mte] [--fs LIST] [--slow-disk BYTES_PER_S]
              [--out DIR] [--timeout S] [--binary PATH] [--add FILE]... [-- mteprobe ARGS...]
       mte-vm --list-kernels
Runs mteprobe ARGS in an arm64 QEMU guest with MTE. See man/mte-vm.1.
Kernels: {kernels.kernel_names()} (--list-kernels: versions on the mirror, cached).
--cpu sets QEMU's -cpu (default {qemu.DEFAULT_CPU}); --no-mte boots a machine without MTE
(with a CPU model that has none, e.g. --cpu neoverse-v1, a Graviton3 stand-in).
--slow-disk throttles the filesystem disks to BYTES_PER_S (suffix k or M: KiB, MiB).
--add FILE puts FILE in the guest's /bin too (a static arm64 reproducer, ...).
Without "--": the main job, "{' '.join(DEFAULT_JOB)}" (the default matrix; CSV in the out dir),
then `mteprobe report` of it (of every kernel's, side by side, with --kernels) on standard
output and as report.html.
"""


class Options:
	kernels = ()
	modules = None
	fs = ()
	out = None
	timeout = DEFAULT_TIMEOUT
	binary = None
	add = ()
	slow_disk = None
	job = DEFAULT_JOB
	cpu = None
	mte = True
	list_kernels = False


def disk_rate(v):
	"""A --slow-disk rate in bytes per second: N, Nk (KiB) or NM (MiB); at least 512 B/s
	(one sector), at most 1 TiB/s, beyond which it throttles nothing. None if invalid."""
	m = re.fullmatch(r"([1-9][0-9]{0,12})([kKmM]?)", v)
	if not m:
		return None
	n = int(m.group(1)) * {"": 1, "k": 1024, "K": 1024, "m": 1 << 20, "M": 1 << 20}[m.group(2)]
	return n if 512 <= n <= 1 << 40 else None


def check_kernel_arg(k):
	"""A kernel argument is a known name or the path of an Image; anything else is a mistake."""
	if kernels.kernel(k):
		return
	names = kernels.kernel_names()
	if "/" not in k and not os.path.exists(k):
		raise usage_error(f"unknown kernel '{k}'; use one of: {names}, or the path of an arm64 Image (e.g. ./Image)")
	if not os.path.isfile(k):
		raise usage_error(f"kernel image {k} does not exist; give the path of an arm64 Image or one of: {names}")
	if not kernels.is_arm64_image(k):
		raise usage_error(f"{k} is not an arm64 kernel Image (plain, gzip or EFI zboot); give arch/arm64/boot/Image of your build")


VALUED = ("--kernel", "--kernels", "--modules", "--fs", "--out", "--timeout", "--binary", "--slow-disk", "--cpu")


def parse_args(argv):
	o, given, job = Options(), {}, None
	i = 0
	while i < len(argv):
		a = argv[i]
		if a in VALUED:
			if i + 1 >= len(argv):
				raise usage_error(f"{a} needs a value")
			given[a] = argv[i + 1]
			i += 2
		elif a == "--add":
			if i + 1 >= len(argv):
				raise usage_error("--add needs a file")
			o.add += (argv[i + 1],)
			i += 2
		elif a == "--no-mte":
			o.mte = False
			i += 1
		elif a == "--list-kernels":
			o.list_kernels = True
			i += 1
		elif a in ("-h", "--help"):
			sys.stdout.write(USAGE)
			raise Failure(0, "")
		elif a == "--":
			job = argv[i + 1:]
			break
		else:
			raise usage_error(f"unknown argument '{a}'; put the command to run after --, e.g. mte-vm -- mteprobe selftest")
	if job is not None and not job:
		raise usage_error("no command to run after --; add one, e.g. mte-vm -- mteprobe selftest")
	o.job = job if job is not None else DEFAULT_JOB

	if "--kernel" in given and "--kernels" in given:
		raise usage_error("give either --kernel or --kernels, not both")
	if "--kernels" in given:
		o.kernels = tuple(given["--kernels"].split(","))
		if not given["--kernels"] or "" in o.kernels:
			raise usage_error("--kernels needs a comma-separated list, e.g. --kernels 5.10,6.1,6.12")
	else:
		o.kernels = (given.get("--kernel", kernels.DEFAULT_KERNEL),)
	for k in o.kernels:
		check_kernel_arg(k)
	o.modules = given.get("--modules")
	if o.modules is not None:
		if len(o.kernels) != 1 or kernels.kernel(o.kernels[0]):
			raise usage_error("--modules goes with --kernel PATH/TO/Image only")
		if not os.path.isdir(o.modules):
			raise usage_error(f"modules directory {o.modules} does not exist; give the lib/modules/RELEASE directory of your kernel build")

	fs_list = given.get("--fs", ",".join(kernels.fs_names()))
	fs = []
	for f in ([] if fs_list == "none" else fs_list.split(",")):
		if not kernels.filesystem(f):
			raise usage_error(f"unknown filesystem '{f}' in --fs; use a comma-separated list of: "
					  f"{' '.join(kernels.fs_names())} (or none)")
		if f not in fs:
			fs.append(f)
	o.fs = tuple(fs)

	o.out = given.get("--out")
	results.check_out_arg(o.out)
	t = given.get("--timeout", str(DEFAULT_TIMEOUT))
	if not re.fullmatch(r"[1-9][0-9]*", t):
		raise usage_error(f"--timeout wants whole seconds, e.g. --timeout 600, not '{t}'")
	o.timeout = int(t)
	if "--slow-disk" in given:
		o.slow_disk = disk_rate(given["--slow-disk"])
		if o.slow_disk is None:
			raise usage_error("--slow-disk wants bytes per second from 512 to 1T, a whole number with an optional "
					  f"k or M suffix (e.g. 256k), not '{given['--slow-disk']}'")
	o.cpu = given.get("--cpu", os.environ.get("MTEPROBE_QEMU_CPU") or qemu.DEFAULT_CPU)
	if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.,=-]*", o.cpu):
		raise usage_error(f"--cpu wants a QEMU CPU model such as max or neoverse-v1 (qemu-system-aarch64 -cpu help lists them), not '{o.cpu}'")
	o.binary = given.get("--binary")
	if o.binary is not None and not os.path.isfile(o.binary):
		raise usage_error(f"binary {o.binary} does not exist; build it or drop --binary to let mte-vm build it")
	for f in o.add:
		if not os.path.isfile(f):
			raise usage_error(f"--add {f}: no such file; give a file to put in the guest's /bin (e.g. a static arm64 program)")
		if os.path.basename(f) in ("mteprobe", "busybox"):
			raise usage_error(f"--add {f}: the guest's /bin/{os.path.basename(f)} is mte-vm's own; rename the file")
	return o


class Host:
	"""The host's side of a run: cache, mirror, the scratch directory, the binary."""

	def __init__(self, opts):
		self.opts = opts
		self.cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "mteprobe")
		self.mirror = os.environ.get("MTEPROBE_MIRROR") or "http://deb.debian.org/debian"
		self.scratch = None
		self.guest = None
		self.made_result_dir = None
		self.result_dirs = []	# each kernel's, in the order they ran
		self.apts = {}

	# ---- host setup
	def ensure_tools(self):
		missing = [t for t in HOST_TOOLS if not shutil.which(t)]
		if not os.path.exists(debian.KEYRING):
			missing.append(debian.KEYRING)
		if not missing:
			return
		say(f"missing on this host: {' '.join(missing)}; running scripts/install-deps")
		if subprocess.run([os.path.join(REPO, "scripts/install-deps")], stdout=sys.stderr).returncode != 0:
			raise host_error(f"scripts/install-deps failed; run it as root to install {' '.join(missing)}")

	def need_space(self, mib, what):
		"""Fails early, with the fix, when the cache's disk cannot take MIB more."""
		s = os.statvfs(self.cache)
		avail = s.f_bavail * s.f_frsize // (1 << 20)
		if avail < mib:
			raise host_error(f"only {avail} MiB free in {self.cache}, need {mib} MiB for {what}; free some space "
					 "or point XDG_CACHE_HOME at a larger disk")

	def build_mteprobe(self):
		build, log = os.path.join(REPO, "build/aarch64"), os.path.join(self.cache, "build.log")
		if not os.path.exists(os.path.join(REPO, "meson.build")):
			raise host_error(f"no meson.build in {REPO} to build mteprobe from; pass --binary PATH with a static arm64 build")
		with open(log, "w") as f:
			ok = True
			if not os.path.exists(os.path.join(build, "build.ninja")):
				ok = subprocess.run(["meson", "setup", "build/aarch64", "--cross-file", "cross/aarch64-linux-gnu.ini"],
						    cwd=REPO, stdout=f, stderr=f).returncode == 0
			ok = ok and subprocess.run(["meson", "compile", "-C", build], stdout=f, stderr=f).returncode == 0
		if not ok:
			with open(log, errors="replace") as f:
				sys.stderr.write("".join(f.readlines()[-40:]))
			raise host_error(f"building the aarch64 mteprobe failed (last lines above, full log {log}); fix the build or pass --binary PATH")
		binary = os.path.join(build, "cmd/mteprobe")
		if not os.path.isfile(binary):
			raise host_error(f"the build produced no {binary}; check meson.build or pass --binary PATH")
		return binary

	def host_mteprobe(self):
		"""An mteprobe this host can run, to read the results (the native build, made when
		missing), or None, said why."""
		build, log = os.path.join(REPO, "build/native"), os.path.join(self.cache, "build-native.log")
		with open(log, "w") as f:
			ok = os.path.exists(os.path.join(build, "build.ninja")) or subprocess.run(
				["meson", "setup", "build/native"], cwd=REPO, stdout=f, stderr=f).returncode == 0
			ok = ok and subprocess.run(["meson", "compile", "-C", build, "cmd/mteprobe"],
						   stdout=f, stderr=f).returncode == 0
		if not ok:
			say(f"no report: building the host's mteprobe failed (log {log}); the CSVs are kept, "
			    "run mteprobe report on them once it builds")
			return None
		return os.path.join(build, "cmd/mteprobe")

	def report(self, reader=None):
		"""The main job's report: every kernel's matrix.csv read back on the host by READER
		(default: the host's build), printed and written as report.html (one kernel: in its
		result directory; several: beside them, with --out in DIR, by default in
		RESULTS_ROOT/K1,K2,.../<UTC>). The path of report.html, or None."""
		csvs = [os.path.join(d, "matrix.csv") for d in self.result_dirs]
		csvs = [c for c in csvs if os.path.isfile(c) and os.path.getsize(c) > 0]
		if not csvs:
			return None
		reader = reader or self.host_mteprobe()
		if not reader:
			return None
		o = self.opts
		if len(o.kernels) == 1:
			dest = self.result_dirs[0]
		elif o.out:
			dest = o.out	# holds the kernels' directories
			os.makedirs(dest, exist_ok=True)
		else:
			dest, _ = results.make_result_dir(None, ",".join(self.label(k) for k in o.kernels), True)
		html = os.path.join(dest, "report.html")
		sys.stdout.flush()
		p = subprocess.run([reader, "report", "--html", html] + csvs)
		if p.returncode != 0:
			say(f"the report failed (status {p.returncode}); the CSVs are kept: {' '.join(csvs)}")
			return None
		say(f"report of {len(csvs)} kernel{'s' if len(csvs) > 1 else ''}: {html}")
		return html

	@staticmethod
	def check_binary(binary):
		with open(binary, "rb") as f:
			head = f.read(20)
		# ELF magic, 64-bit, little-endian, e_machine 0xb7 (aarch64)
		if head[:6] != b"\x7fELF\x02\x01" or head[18:20] != b"\xb7\x00":
			raise usage_error(f"{binary} is not an arm64 ELF executable; build it with aarch64-linux-gnu-gcc -static (or drop --binary)")
		p = subprocess.run(["aarch64-linux-gnu-readelf", "-l", binary], capture_output=True, text=True)
		if "program interpreter" in p.stdout:
			raise usage_error(f"{binary} is dynamically linked but the guest has no C library; link it with -static")

	# ---- packages and kernels
	def apt(self, suite):
		if suite not in self.apts:
			self.apts[suite] = debian.Apt(os.path.join(self.cache, "apt", suite), self.mirror, suite)
		return self.apts[suite]

	def unpacked(self, entry):
		return debian.unpacked_packages(self.apt(entry.suite), entry.spec, self.cache, self.need_space)

	def label(self, k):
		"""How results and messages name a kernel: its short name, else the release of its
		modules directory, else "custom"."""
		if kernels.kernel(k):
			return k
		if self.opts.modules:
			return os.path.basename(os.path.realpath(self.opts.modules))
		return "custom"

	def prepare_kernel(self, k):
		"""(image, modules.ModuleTree or None) for a kernel argument."""
		entry = kernels.kernel(k)
		if not entry:
			if not self.opts.modules:
				return os.path.realpath(k), None
			kmods = os.path.realpath(self.opts.modules)
			# modprobe reads depmod's binary index, which modules_install makes too
			if not os.path.exists(os.path.join(kmods, "modules.dep.bin")):
				raise usage_error(f"{kmods} has no modules.dep.bin; give the lib/modules/RELEASE directory of "
						  "'make modules_install', or run: depmod -b BASE RELEASE")
			return os.path.realpath(k), ModuleTree(kmods, self.scratch)
		tree = self.unpacked(entry)
		found = kernels.find_kernel_in_tree(tree)
		if not found:
			raise host_error(f"{tree} holds no kernel (boot/vmlinuz-* or usr/lib/modules/*/vmlinuz); delete it and retry")
		image, kmods = found
		# the package's postinst would run depmod; it runs once, into the cache
		if not os.path.exists(os.path.join(kmods, "modules.dep")):
			base = os.path.dirname(os.path.dirname(os.path.dirname(kmods)))
			p = subprocess.run(["depmod", "-b", base, os.path.basename(kmods)], capture_output=True, text=True)
			if p.returncode != 0:
				raise host_error(f"depmod failed on {tree} ({p.stderr.strip()}); delete it and retry")
		return image, ModuleTree(kmods, self.scratch)

	def available_filesystems(self, tree, label):
		"""The filesystems of this run that the kernel can have: one whose module is
		neither built in nor shipped is reported and dropped."""
		run_fs = []
		for f in self.opts.fs:
			if f != "tmpfs" and tree and not tree.availability(f):
				say(f"{label}: the kernel has no {f} (neither module nor built in); running without it")
				continue
			run_fs.append(f)
		return run_fs

	def fs_image(self, name):
		"""A pristine image per filesystem, made once; the guest writes to a throw-away overlay."""
		fs = kernels.filesystem(name)
		mkfs = " ".join(fs.mkfs)
		key = hashlib.sha256(f"{fs.size} {mkfs}\n".encode()).hexdigest()[:12]
		img = os.path.join(self.cache, "images", f"{name}-{key}.img")
		if not os.path.exists(img):
			os.makedirs(os.path.dirname(img), exist_ok=True)
			new = img + ".new"
			if os.path.lexists(new):
				os.unlink(new)
			with open(new, "xb") as f:
				f.truncate(kernels.size_mib(fs.size) << 20)
			p = subprocess.run(list(fs.mkfs) + [new], capture_output=True, text=True, stdin=subprocess.DEVNULL)
			if p.returncode != 0:
				sys.stderr.write(p.stdout + p.stderr)
				raise host_error(f"making the {name} image failed (output above); check that {fs.mkfs[0]} works on this host")
			os.replace(new, img)
		return img

	def check_space_for_disks(self, run_fs):
		"""Room for this run's disks: the guest's writes land in copy-on-write overlays that
		can grow to each image's size, next to the pristine images and the results disk."""
		need = kernels.size_mib(RESULTS_DISK_SIZE)
		for f in run_fs:
			size = kernels.filesystem(f).size
			if size:
				need += 2 * kernels.size_mib(size)
		self.need_space(need, "the disk images of this run")

	# ---- one kernel
	def run_kernel(self, k, binary, t0):
		o = self.opts
		label = self.label(k)
		dest, made = results.make_result_dir(o.out, label, len(o.kernels) > 1)
		self.made_result_dir = dest if made else None
		with open(os.path.join(self.cache, "lock"), "w") as lock:
			fcntl.flock(lock, fcntl.LOCK_EX)	# one host setup at a time: the cache is shared
			image, tree = self.prepare_kernel(k)
			run_fs = self.available_filesystems(tree, label)
			self.check_space_for_disks(run_fs)
			images = [(f, self.fs_image(f)) for f in run_fs if f != "tmpfs"]
			bb = self.unpacked(kernels.BUSYBOX)
			base = initramfs.base_initramfs(self.cache, label, bb, tree, self.scratch)
			wanted = list(kernels.BASE_MODULES) + [f for f in run_fs if f != "tmpfs"]
			initramfs.job_initramfs(base, os.path.join(self.scratch, "initrd.cpio"), self.scratch, binary,
						initramfs.job_script(o.timeout, KILL_GRACE, run_fs, o.slow_disk, o.job),
						guest_module_list(tree, wanted) if tree else "", o.add)
		t_boot = time.time()
		results_img = os.path.join(self.scratch, "results.img")
		with open(results_img, "w") as f:
			f.truncate(kernels.size_mib(RESULTS_DISK_SIZE) << 20)
		console = os.path.join(self.scratch, "console.log")
		argv = qemu.command(image, os.path.join(self.scratch, "initrd.cpio"), console, results_img, images,
				    os.path.join(self.scratch, "stream.bin"), cpu=o.cpu, mte=o.mte, slow_disk=o.slow_disk)
		self.guest = qemu.Guest(argv, console, self.scratch, o.timeout, KILL_GRACE, t0, label)
		self.guest.run()
		g, self.guest = self.guest, None
		status = results.collect(dest, self.scratch, g, label, o.job[0], o.timeout)
		with open(os.path.join(dest, "timing.txt"), "w") as f:
			f.write(f"setup_s={t_boot - t0:.1f}\nuserspace_s={fmt(g.t_userspace)}\n"
				f"job_start_s={fmt(g.t_job)}\ndone_s={g.t_done:.1f}\n")
		self.made_result_dir = None
		latest = ""
		if not o.out:
			results.point_latest(dest, label)
			latest = f" (also {os.path.dirname(dest)}/latest)"
		say(f"{label}: {st.words(status, o.job[0])}; setup {t_boot - t0:.1f} s, guest userspace at "
		    f"{fmt(g.t_userspace) or 'never'} s, done at {g.t_done:.1f} s; results in {dest}{latest}")
		self.result_dirs.append(dest)
		return status

	def cleanup(self):
		if self.guest:
			self.guest.stop()
		if self.scratch and not os.environ.get("MTEPROBE_KEEP_RUNDIR"):
			shutil.rmtree(self.scratch, ignore_errors=True)
		if self.made_result_dir:
			try:
				os.rmdir(self.made_result_dir)
			except OSError:
				pass

	def list_kernels(self):
		"""Each named kernel: what its suite has now (the index is fetched when missing or
		MTEPROBE_REFRESH is set) and whether it is cached."""
		print(f"{'NAME':<11} {'SUITE':<19} {'PACKAGES ON THE MIRROR':<58} CACHED")
		for e in kernels.KERNELS:
			try:
				pk = self.apt(e.suite).resolve_cached(e.spec, refresh=bool(os.environ.get("MTEPROBE_REFRESH")))
				what = " ".join(p[0].split("-", 2)[1] for p in pk[1:])
				have = f"{pk[0][0]} {pk[0][1]}" + (f" (+{what})" if what else "")
				cached = "yes" if os.path.exists(os.path.join(self.cache, "packages", f"{pk[0][0]}_{pk[0][1]}", ".complete")) else "no"
			except Failure as f:
				have, cached = f"unavailable: {f}", "-"
			print(f"{e.name:<11} {e.suite:<19} {have:<58} {cached}")
			print(f"{'':<11} {e.about}")
		return 0


def fmt(t):
	return "" if t is None else f"{t:.1f}"


def main(argv):
	host = None
	try:
		opts = parse_args(argv)
		host = Host(opts)
		host.ensure_tools()
		os.makedirs(host.cache, exist_ok=True)
		if opts.list_kernels:
			return host.list_kernels()
		qemu.check_version()
		binary = opts.binary or host.build_mteprobe()
		host.check_binary(binary)
		host.scratch = tempfile.mkdtemp(prefix="run.", dir=host.cache)

		def stop(signum, _frame):
			raise Failure(st.EX_SIGINT if signum == signal.SIGINT else st.EX_SIGTERM, "")
		signal.signal(signal.SIGINT, stop)
		signal.signal(signal.SIGTERM, stop)
		first_failure, t0 = 0, time.time()
		for k in opts.kernels:
			status = host.run_kernel(k, binary, t0)
			first_failure = first_failure or status
			t0 = time.time()
		if opts.job is DEFAULT_JOB:
			host.report()
		return first_failure
	except Failure as f:
		if str(f):
			say(str(f))
		return f.status
	finally:
		if host:
			host.cleanup()
