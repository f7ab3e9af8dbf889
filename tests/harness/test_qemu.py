# SPDX-License-Identifier: MIT
"""mtevm.qemu.Guest with stand-in QEMUs (shell scripts): the boot lines it times, the
host's backstop deadline, and QEMU refusing a CPU model without MTE."""
import os
import time

from common import TempDirTest, stderr_captured

from mtevm import qemu


class GuestTest(TempDirTest):
	def fake(self, body):
		path = os.path.join(self.tmp, "fake-qemu")
		with open(path, "w") as f:
			f.write("#!/bin/sh\n" + body)
		os.chmod(path, 0o755)
		console = os.path.join(self.tmp, "console.log")
		argv = [path, "-cpu", "neoverse-v1", "-serial", f"file:{console}"]
		return qemu.Guest(argv, console, self.tmp, timeout=2, kill_grace=1, t0=time.time(), label="6.1")

	def run_guest(self, guest):
		with stderr_captured() as err:
			guest.run()
		return err.getvalue()

	def test_boot_lines_are_timed(self):
		g = self.fake(f"printf 'mte-vm-guest: userspace at 1.50 s\\r\\nmte-vm-guest: job started, limit 2 s\\r\\n' >>{self.tmp}/console.log\n")
		self.run_guest(g)
		self.assertEqual(g.status, "ok")
		self.assertIsNotNone(g.t_userspace)	# read once more after QEMU exits
		with open(os.path.join(self.tmp, "qemu-command.txt")) as f:
			self.assertIn("neoverse-v1", f.read())

	def test_a_guest_that_stops_answering_is_killed_after_its_job_limit(self):
		# the job started; the backstop is the limit (2 s), the grace (1 s) and twice the
		# guest's boot (0.5 s: 1 s)
		g = self.fake(f"printf 'mte-vm-guest: userspace at 0.50 s\\nmte-vm-guest: job started\\n' >>{self.tmp}/console.log\nexec sleep 60\n")
		start = time.time()
		self.run_guest(g)
		took = time.time() - start
		self.assertEqual(g.status, "timeout")
		self.assertIn("did not end its job within 2 s and ship the results within 2 s more", g.timeout_why)
		self.assertGreaterEqual(took, 3.9)
		self.assertLess(took, 30)

	def test_cpu_without_mte_on_an_mte_machine_gets_the_fix(self):
		g = self.fake("echo 'qemu-system-aarch64: MTE requested, but not supported by the guest CPU' >&2\nexit 1\n")
		err = self.run_guest(g)
		self.assertEqual(g.status, "qemu_failed")
		self.assertIn("exited with status 1", err)
		self.assertIn("the CPU model neoverse-v1 has no MTE: add --no-mte", err)
