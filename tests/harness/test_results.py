# SPDX-License-Identifier: MIT
"""mtevm.results: kernel problems found in real guest consoles (Debian 7.3.4, a panic
from sysrq and a clean run), the run's status precedence, result directories and the
results disk."""
import io
import os
import tarfile
import unittest

from common import TempDirTest, fixture

from mtevm import results
from mtevm.status import EX_GUEST, EX_KERNEL_REPORT, EX_TIMEOUT


def text(name):
	return results.read_text(fixture(name))


class KernelProblemsTest(unittest.TestCase):
	def test_panic_found_with_its_trace_from_the_first_report(self):
		hits, excerpt = results.kernel_problems(text("console.7.3-panic.log"), None)
		self.assertEqual(hits, ["Kernel panic - not syncing: sysrq triggered crash"])
		name, lines = excerpt
		self.assertEqual(name, "console.log")
		self.assertIn("Kernel panic - not syncing", lines[0])
		self.assertTrue(any("sysrq_handle_crash" in l for l in lines))
		self.assertLessEqual(len(lines), 30)

	def test_clean_run_reports_nothing(self):
		self.assertEqual(results.kernel_problems(text("console.7.3-clean.log"), text("dmesg.7.3-clean.txt")), ([], None))

	def test_each_report_once_timestamps_cut_dmesg_excerpt_first(self):
		console = "[    1.0] WARNING: CPU: 0 PID: 1 at fs/x.c:1 f+0x1\r\n[    2.0] BUG: soft lockup\n"
		dmesg = "[    1.0] WARNING: CPU: 0 PID: 1 at fs/x.c:1 f+0x1\nok\n"
		hits, excerpt = results.kernel_problems(console.replace("\r", ""), dmesg)
		self.assertEqual(hits, ["WARNING: CPU: 0 PID: 1 at fs/x.c:1 f+0x1", "BUG: soft lockup"])
		self.assertEqual(excerpt[0], "dmesg.txt")

	def test_each_kind_of_report(self):
		for line in ("Unable to handle kernel paging request at virtual address 0", "Internal error: Oops: 96000004",
			     "kernel BUG at mm/filemap.c:1", "INFO: task sh:1 blocked for more than 120 seconds.",
			     "rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:", "rcu: 1-...!: (1 GPs behind) self-detected stall"):
			self.assertEqual(len(results.kernel_problems(line, None)[0]), 1, line)
		self.assertEqual(results.kernel_problems("mte-vm-guest: job started\nbtrfs: loaded", None)[0], [])


class StatusTest(unittest.TestCase):
	def test_precedence_timeout_kernel_report_no_results_job(self):
		self.assertEqual(results.run_status("timeout", False, True, 0), EX_TIMEOUT)
		self.assertEqual(results.run_status("ok", True, True, None), EX_TIMEOUT)
		self.assertEqual(results.run_status("ok", False, True, 0), EX_KERNEL_REPORT)
		self.assertEqual(results.run_status("qemu_failed", False, False, None), EX_GUEST)
		self.assertEqual(results.run_status("ok", False, False, 3), 3)


class ResultDirTest(TempDirTest):
	def test_runs_in_the_same_second_get_their_own_directory(self):
		a = results.make_fresh_dir(self.tmp, "20261202T000000Z")
		b = results.make_fresh_dir(self.tmp, "20261202T000000Z")
		self.assertEqual(os.path.basename(b), "20261202T000000Z-2")
		results.point_latest(a, "6.1")
		results.point_latest(b, "6.1")
		self.assertEqual(os.readlink(os.path.join(self.tmp, "latest")), "20261202T000000Z-2")

	def test_latest_that_is_not_our_link_is_left_alone(self):
		d = results.make_fresh_dir(self.tmp, "run")
		os.mkdir(os.path.join(self.tmp, "latest"))
		results.point_latest(d, "6.1")
		self.assertTrue(os.path.isdir(os.path.join(self.tmp, "latest")) and not os.path.islink(os.path.join(self.tmp, "latest")))

	def test_out_that_holds_files_or_is_a_link_is_refused(self):
		os.mkdir(os.path.join(self.tmp, "full"))
		open(os.path.join(self.tmp, "full", "keep"), "w").close()
		os.symlink(self.tmp, os.path.join(self.tmp, "link"))
		for out in ("full", "link"):
			self.failure(64, results.check_out_arg, os.path.join(self.tmp, out))
		results.check_out_arg(os.path.join(self.tmp, "new"))

	def test_results_disk_extracted_without_escaping_or_links(self):
		img = os.path.join(self.tmp, "results.img")
		with tarfile.open(img, "w") as t:
			for name, data in (("./mteprobe.status", b"0\n"), ("./sub/file.txt", b"data\n"), ("../escape", b"x")):
				info = tarfile.TarInfo(name)
				info.size = len(data)
				t.addfile(info, io.BytesIO(data))
			link = tarfile.TarInfo("./passwd")
			link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
			t.addfile(link)
		with open(img, "ab") as f:	# the rest of the raw disk
			f.write(b"\0" * 65536)
		dest = os.path.join(self.tmp, "dest")
		os.mkdir(dest)
		open(os.path.join(dest, "console.log"), "w").close()
		results.extract_results(img, dest)
		self.assertEqual(sorted(os.listdir(dest)), ["console.log", "mteprobe.status", "sub"])
		self.assertEqual(results.read_text(os.path.join(dest, "sub/file.txt")), "data\n")
		self.assertFalse(os.path.exists(os.path.join(self.tmp, "escape")))

	def test_empty_results_disk_gives_nothing(self):
		img = os.path.join(self.tmp, "results.img")
		with open(img, "wb") as f:
			f.truncate(1 << 20)
		results.extract_results(img, self.tmp)
		self.assertEqual(sorted(os.listdir(self.tmp)), ["results.img"])


if __name__ == "__main__":
	unittest.main()
