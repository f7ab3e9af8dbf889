# SPDX-License-Identifier: MIT
"""lava-job (mtevm.lava): its command line, the jobs it writes (checked by lava-run
--validate against the device dictionary fixture when lava-dispatcher is installed) and
scripts/vm/mteprobe-lava turning a captured KTAP into LAVA test sets and cases."""
import os
import shutil
import subprocess
import tarfile

from common import TempDirTest, fixture

from mtevm import lava
from mtevm.status import EX_USAGE

# What mteprobe-lava reports for lava-matrix.ktap (mteprobe's KTAP, cut down by hand to
# one case of each kind) from a run with status 1: (test set, test case, result).
REPORTED = [
	("read", "fs-tmpfs_io-buffered_mode-sync_fault-mte_fault_at-0_buf_off-0_len-8192", "fail"),
	("read", "fs-tmpfs_io-buffered_mode-sync_fault-none_buf_off-0_len-8192", "pass"),
	("read", "fs-tmpfs_io-direct_mode-sync_fault-none_buf_off-0_len-8192", "skip"),
	(None, "read", "fail"),
	("write", "fs-tmpfs_io-buffered_mode-sync_fault-mte_fault_at-0_buf_off-0_len-8192", "pass"),
	(None, "write", "pass"),
	(None, "mteprobe-exit", "pass")]
# The direct mte-vm run's status (lava-vm-6.1.ktap): 0, every case ok or skipped.
DIRECT_STATUS = 0


class ArgsTest(TempDirTest):
	def test_the_command_is_matrix_args(self):
		o = lava.parse_args(["--out", os.path.join(self.tmp, "o"), "--", "mteprobe", "matrix", "--fs", "tmpfs"])
		self.assertEqual(o.args, ["--fs", "tmpfs"])
		self.assertEqual(lava.parse_args(["--out", os.path.join(self.tmp, "o")]).args, lava.DEFAULT_ARGS)

	def test_bad_input_is_one_line_naming_the_fix(self):
		out = os.path.join(self.tmp, "o")
		for argv, words in (
			(["--", "mteprobe", "selftest"], "runs mteprobe matrix only"),
			(["--", "mteprobe", "matrix", "--format", "csv"], "drop '--format'"),
			(["--", "mteprobe", "matrix", "-o", "x.csv"], "drop '-o'"),
			(["--kernel", "4.19"], "unknown kernel '4.19'"),
			(["--timeout", "0"], "--timeout wants whole minutes"),
			(["--url", "lab/x"], "--url wants a URL"),
			(["--binary", os.path.join(self.tmp, "none")], "does not exist"),
			(["--kernel"], "--kernel needs a value"),
			(["--frob"], "unknown argument '--frob'"),
		):
			self.assertIn(words, self.failure(EX_USAGE, lava.parse_args, ["--out", out] + argv))

	def test_an_out_dir_with_files_is_refused(self):
		with open(os.path.join(self.tmp, "job.yaml"), "w") as f:
			f.write("someone's\n")
		self.assertIn("not empty", self.failure(EX_USAGE, lava.parse_args, ["--out", self.tmp]))


class JobTest(TempDirTest):
	def files(self):
		kernel, rootfs = os.path.join(self.tmp, "Image"), os.path.join(self.tmp, "rootfs.cpio")
		for p in (kernel, rootfs):
			with open(p, "wb") as f:
				f.write(b"\0" * 64)
		return "file://" + kernel, "file://" + rootfs

	def test_qemu_job_boots_with_mte_and_runs_the_matrix(self):
		job = lava.qemu_job(*self.files(), "6.1", ["--fs", "tmpfs", "--syscalls", "read"], 20)
		for want in ('machine: "virt,mte=on"', 'cpu: "max,pauth-impdef=on"', "method: qemu", "format: cpio.newc",
			     "lava: true", '- "mteprobe-lava# "', '- "mteprobe-lava matrix --fs tmpfs --syscalls read"',
			     "from: inline", "format: Lava-Test Test Definition 1.0"):
			self.assertIn(want, job)
		self.assertNotIn("kvm", job)

	def test_an_argument_with_spaces_stays_one_word(self):
		job = lava.qemu_job(*self.files(), "6.1", ["--fs", "tmp fs"], 20)
		self.assertIn("""- "mteprobe-lava matrix --fs 'tmp fs'\"""", job)

	def test_the_board_template_names_what_a_lab_fills_in(self):
		t = lava.board_template(*self.files(), "6.1", ["--fs", "tmpfs"], 20)
		for want in ("@DEVICE_TYPE@", "@DEPLOY_TO@", "@BOOT_METHOD@", "@BOOT_COMMANDS@", "mteprobe-lava matrix --fs tmpfs"):
			self.assertIn(want, t)

	def test_both_are_yaml_with_the_same_test_action(self):
		try:
			import yaml
		except ImportError:
			self.skipTest("no python3-yaml")
		urls = self.files()
		job = yaml.safe_load(lava.qemu_job(*urls, "6.1", ["--fs", "tmpfs"], 20))
		board = yaml.safe_load(lava.board_template(*urls, "6.1", ["--fs", "tmpfs"], 20))
		self.assertEqual([list(a)[0] for a in job["actions"]], ["deploy", "boot", "test"])
		self.assertEqual([list(a)[0] for a in board["actions"]], ["deploy", "boot", "test"])
		self.assertEqual(job["actions"][2], board["actions"][2])
		self.assertEqual(board["actions"][0]["deploy"]["ramdisk"]["url"], urls[1])

	def test_the_overlay_holds_both_programs_in_usr_bin(self):
		binary = os.path.join(self.tmp, "mteprobe")
		with open(binary, "w") as f:
			f.write("stand-in\n")
		dest = os.path.join(self.tmp, "overlay.tar.xz")
		lava.overlay(dest, binary)
		with tarfile.open(dest) as tar:
			self.assertEqual(sorted((m.name, m.mode, m.uid) for m in tar.getmembers()),
					 [("usr/bin/mteprobe", 0o755, 0), ("usr/bin/mteprobe-lava", 0o755, 0)])
			self.assertEqual(tar.extractfile("usr/bin/mteprobe").read(), b"stand-in\n")
		self.assertRaises(FileExistsError, lava.overlay, dest, binary)

	def validate(self, job_text):
		if not shutil.which("lava-run"):
			self.skipTest("no lava-run (scripts/install-deps --lava installs lava-dispatcher)")
		if os.geteuid() != 0:
			self.skipTest("lava-run runs as root only")
		job = os.path.join(self.tmp, "job.yaml")
		with open(job, "w") as f:
			f.write(job_text)
		p = subprocess.run(["lava-run", "--job-id", str(os.getpid()), "--validate", "--device", fixture("lava-qemu-mte.yaml"),
				    "--output-dir", os.path.join(self.tmp, "out"), job], capture_output=True, text=True)
		return p

	def test_lava_run_validates_the_qemu_job_on_the_device_fixture(self):
		p = self.validate(lava.qemu_job(*self.files(), "6.1", ["--fs", "tmpfs"], 20))
		self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
		self.assertIn('"case": "validate", "definition": "lava", "result": "pass"', p.stderr)

	def test_lava_run_refuses_a_job_for_a_device_it_cannot_boot(self):
		# the check above can fail: the same job for a machine the device lacks
		p = self.validate(lava.qemu_job(*self.files(), "6.1", ["--fs", "tmpfs"], 20).replace("method: qemu", "method: u-boot"))
		self.assertNotEqual(p.returncode, 0)


class ReportTest(TempDirTest):
	"""scripts/vm/mteprobe-lava report under busybox sh (the guest's shell), with
	lava-test-set and lava-test-case stand-ins (lava.expected_results)."""

	def report(self, ktap, status):
		if not shutil.which("busybox"):
			self.skipTest("no busybox on this host (the guest's shell)")
		return lava.expected_results(ktap, status, self.tmp)

	def test_each_case_is_a_test_case_in_its_syscalls_set(self):
		self.assertEqual(self.report(fixture("lava-matrix.ktap"), 1), REPORTED)

	def test_a_failed_mteprobe_fails_the_exit_case(self):
		self.assertEqual(self.report(fixture("lava-matrix.ktap"), 2)[-1], (None, "mteprobe-exit", "fail"))

	def test_a_bail_out_fails(self):
		ktap = os.path.join(self.tmp, "bail.ktap")
		with open(ktap, "w") as f:
			f.write("KTAP version 1\n1..1\n  KTAP version 1\n  # Subtest: read\n  1..2\n"
				"  ok 1 fs=tmpfs io=buffered mode=sync fault=none buf_off=0 len=8192 # full 8192\n"
				"Bail out! stopped by SIGTERM\n")
		self.assertEqual(self.report(ktap, 130), [
			("read", "fs-tmpfs_io-buffered_mode-sync_fault-none_buf_off-0_len-8192", "pass"),
			("read", "mteprobe-bail-out", "fail"),
			(None, "mteprobe-exit", "fail")])


class LogTest(TempDirTest):
	"""What lava-run recorded of a real job (tests/vm/lava-check on 6.1: lava-run-6.1.log,
	its debug lines left out) against the KTAP of a direct mte-vm run of the same command
	(lava-vm-6.1.ktap)."""

	def records(self):
		with open(fixture("lava-run-6.1.log")) as f:
			return lava.log_records(f)

	def test_the_job_passed_on_a_real_guest(self):
		records = self.records()
		self.assertEqual(lava.job_result(records), ("pass", None))
		self.assertIn("mteprobe-lava: ramdisk ready on 6.1.0-50-arm64", lava.console_lines(records))
		self.assertEqual(lava.job_result(records[:-1])[0], None)

	def test_lava_recorded_what_the_direct_run_reports(self):
		if not shutil.which("busybox"):
			self.skipTest("no busybox on this host (the guest's shell)")
		recorded = lava.recorded_results(self.records())
		self.assertEqual(recorded, lava.expected_results(fixture("lava-vm-6.1.ktap"), DIRECT_STATUS, self.tmp))
		self.assertIn((None, "mteprobe-exit", "pass"), recorded)


class LavaRunTest(TempDirTest):
	"""A job of lava-job run by lava-run, with a stand-in QEMU: the host's busybox sh is
	the guest's shell, on the ramdisk LAVA unpacked and gave its overlay, and a stand-in
	mteprobe prints a captured KTAP. Everything LAVA does but the boot: the deploy, the
	overlay in the ramdisk, the prompt, the test shell and the results it records."""

	def setUp(self):
		super().setUp()
		if not shutil.which("lava-run"):
			self.skipTest("no lava-run (scripts/install-deps --lava installs lava-dispatcher)")
		if os.geteuid() != 0:
			self.skipTest("lava-run runs as root only")
		if not shutil.which("busybox"):
			self.skipTest("no busybox on this host")

	def write(self, name, text, mode=0o644):
		path = os.path.join(self.tmp, name)
		with open(path, "w") as f:
			f.write(text)
		os.chmod(path, mode)
		return path

	def test_lava_records_what_mteprobe_lava_reports(self):
		ktap, status = fixture("lava-matrix.ktap"), 1
		busybox_tree = os.path.join(self.tmp, "busybox")
		os.makedirs(os.path.join(busybox_tree, "bin"))
		shutil.copyfile(shutil.which("busybox"), os.path.join(busybox_tree, "bin", "busybox"))
		# matrix's stand-in: the KTAP of a real run and its status
		mteprobe = self.write("mteprobe", f"#!/bin/sh\ncat {ktap}\nexit {status}\n", 0o755)
		os.makedirs(os.path.join(self.tmp, "scratch"))
		lava.ramdisk(os.path.join(self.tmp, "rootfs.cpio"), busybox_tree, mteprobe, os.path.join(self.tmp, "scratch"))
		results_dir = os.path.join(self.tmp, "lava-%s")
		qemu = self.write("qemu", f"""#!/bin/sh
while [ $# -gt 0 ]; do [ "$1" = -initrd ] && initrd=$2; shift; done
root={self.tmp}/guest
mkdir "$root" && cd "$root" && cpio -id --quiet <"$initrd" || exit 1
# LAVA's overlay, where the job's test shell looks for it (lava_test_results_dir)
find "$root" -maxdepth 6 -type d -name 'lava-[0-9]*' -exec cp -a {{}} {self.tmp}/ \\;
echo "Linux version 6.1.0-stand-in"
cd /tmp
exec env -i PS1='{lava.PROMPT}' PATH="$root/bin:/usr/bin:/bin" MTEPROBE_FS_ROOT={self.tmp}/fs busybox sh -i
""", 0o755)
		# mteprobe-lava mounts a tmpfs there
		self.addCleanup(subprocess.run, ["umount", "-q", os.path.join(self.tmp, "fs", "tmpfs")])
		with open(fixture("lava-qemu-mte.yaml")) as f:
			device = f.read()
		device = device.replace("command: qemu-system-aarch64", f"command: {qemu}")
		device = device.replace("lava_test_results_dir: /lava-%s", f"lava_test_results_dir: {results_dir}")
		device = self.write("device.yaml", device)
		job = self.write("job.yaml", lava.qemu_job("file://" + os.path.join(self.tmp, "rootfs.cpio"),
							   "file://" + os.path.join(self.tmp, "rootfs.cpio"), "6.1",
							   lava.DEFAULT_ARGS, 1))
		p = subprocess.run(["lava-run", "--job-id", str(os.getpid()), "--device", device, "--output-dir",
				    os.path.join(self.tmp, "out"), job], capture_output=True, text=True, timeout=600)
		records = lava.log_records(p.stderr.splitlines())
		self.assertEqual(lava.job_result(records), ("pass", None), p.stderr[-3000:])
		self.assertEqual(lava.recorded_results(records), REPORTED)
		self.assertIn("mteprobe-lava matrix --fs tmpfs", "\n".join(lava.console_lines(records)))
