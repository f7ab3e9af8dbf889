# SPDX-License-Identifier: MIT
"""mtevm.stream and its use in mtevm.results.collect: the results stream put back
together (interleaved files, torn records, binary data, files that shrink), the
complete lines kept when the guest never shipped its results disk, and the guest's
own streamer (scripts/vm/stream) run on the host under busybox."""
import contextlib
import io
import os
import subprocess
import tarfile
import time
import types
import unittest

from common import TOP, TempDirTest, need_tools

from mtevm import results, stream
from mtevm.status import EX_KERNEL_REPORT, EX_TIMEOUT

HEADER = "schema,kernel,syscall,result\n"


def record(path, offset, data):
	return f"F {offset} {len(data)} {path}\n".encode() + data


class ParseTest(unittest.TestCase):
	def test_interleaved_files_are_put_back_together(self):
		data = (record("matrix.csv", 0, HEADER.encode()) + record("mteprobe.stdout", 0, b"case 1\n") +
			record("matrix.csv", len(HEADER), b"2,6.1,write,short\n") + record("mteprobe.stderr", 0, b"") +
			record("mteprobe.stdout", 7, b"case 2\n") + record("matrix.csv", len(HEADER) + 18, b"2,6.1,pread,efault\n"))
		s = stream.parse(data)
		self.assertEqual(s.files, {"matrix.csv": (HEADER + "2,6.1,write,short\n2,6.1,pread,efault\n").encode(),
					   "mteprobe.stdout": b"case 1\ncase 2\n", "mteprobe.stderr": b""})
		self.assertIsNone(s.error)

	def test_binary_data_with_newlines_and_lookalike_headers(self):
		blob = bytes(range(256)) + b"\nF 0 3 evil\n\0\r\n"
		s = stream.parse(record("data.bin", 0, blob) + record("b", 0, b"x\n"))
		self.assertEqual(s.files, {"data.bin": blob, "b": b"x\n"})
		self.assertIsNone(s.error)

	def test_torn_last_record_keeps_what_came(self):
		whole = record("matrix.csv", 0, b"a\nb\n") + record("matrix.csv", 4, b"c\nd\n")
		self.assertEqual(stream.parse(whole[:-3]).files, {"matrix.csv": b"a\nb\nc"})
		# a header cut short: ignored
		self.assertEqual(stream.parse(whole + b"F 8 10 matr").files, {"matrix.csv": b"a\nb\nc\nd\n"})

	def test_a_file_that_shrank_starts_again(self):
		s = stream.parse(record("f", 0, b"old old\n") + record("f", 0, b"new\n") + record("g", 0, b"1\n") +
				 record("g", 0, b""))
		self.assertEqual(s.files, {"f": b"new\n", "g": b""})

	def test_paths_with_spaces(self):
		self.assertEqual(stream.parse(record("a b/c d.txt", 0, b"x\n")).files, {"a b/c d.txt": b"x\n"})

	def test_a_header_that_makes_no_sense_stops_the_reading(self):
		s = stream.parse(record("f", 0, b"1\n") + b"garbage here\n" + record("f", 2, b"2\n"))
		self.assertEqual(s.files, {"f": b"1\n"})
		self.assertIn("garbage here", s.error)

	def test_missing_stream_is_empty(self):
		s = stream.read("/nonexistent/stream.bin")
		self.assertEqual((s.files, s.error), ({}, None))


class KeepTest(TempDirTest):
	def test_complete_lines_and_rows(self):
		self.assertEqual(stream.complete_lines(b"a\nb\ntorn"), b"a\nb\n")
		self.assertEqual(stream.complete_lines(b"torn"), b"")
		two_runs = (HEADER + "2,6.1,write,full\n" + HEADER + "2,6.1,write,short\n\n").encode()
		self.assertEqual(stream.count_rows(two_runs), 2)
		self.assertEqual(stream.count_rows(b"no csv here\n"), 0)

	def test_files_kept_without_torn_lines_nor_escaping(self):
		s = stream.parse(record("matrix.csv", 0, (HEADER + "2,6.1,write,full\n2,6.1,wr").encode()) +
				 record("../escape", 0, b"x\n") + record("/etc/evil", 0, b"x\n") +
				 record("sub/notes.txt", 0, b"one\n"))
		kept = stream.keep(s, self.tmp)
		self.assertEqual(kept, [("matrix.csv", 1), ("sub/notes.txt", 0)])
		with open(os.path.join(self.tmp, "matrix.csv"), "rb") as f:
			self.assertEqual(f.read(), (HEADER + "2,6.1,write,full\n").encode())
		self.assertFalse(os.path.exists(os.path.join(os.path.dirname(self.tmp), "escape")))
		self.assertEqual(sorted(os.listdir(self.tmp)), ["matrix.csv", "sub"])

	def test_longer_file_wins_links_are_left_alone(self):
		for name, data in (("short.txt", "1\n"), ("long.txt", "1\n2\n3\n")):
			with open(os.path.join(self.tmp, name), "w") as f:
				f.write(data)
		outside = os.path.join(self.tmp, "outside")
		with open(outside, "w") as f:
			f.write("mine\n")
		os.symlink(outside, os.path.join(self.tmp, "link.txt"))
		s = stream.parse(record("short.txt", 0, b"1\n2\n") + record("long.txt", 0, b"1\n") +
				 record("link.txt", 0, b"overwritten\n"))
		self.assertEqual(stream.keep(s, self.tmp), [("short.txt", 0)])
		for name, want in (("short.txt", "1\n2\n"), ("long.txt", "1\n2\n3\n"), ("outside", "mine\n")):
			with open(os.path.join(self.tmp, name)) as f:
				self.assertEqual(f.read(), want, name)
		self.assertTrue(os.path.islink(os.path.join(self.tmp, "link.txt")))


class CollectTest(TempDirTest):
	"""results.collect on a scratch directory as a guest leaves it."""

	def scratch(self, stream_data, disk_files=None, console=""):
		scratch = os.path.join(self.tmp, "scratch")
		os.mkdir(scratch)
		for name, data in (("console.log", console), ("qemu-command.txt", "qemu\n")):
			with open(os.path.join(scratch, name), "w") as f:
				f.write(data)
		with open(os.path.join(scratch, "stream.bin"), "wb") as f:
			f.write(stream_data)
		img = os.path.join(scratch, "results.img")
		with tarfile.open(img, "w") as t:
			for name, data in (disk_files or {}).items():
				info = tarfile.TarInfo("./" + name)
				info.size = len(data)
				t.addfile(info, io.BytesIO(data))
		if not disk_files:
			with open(img, "wb") as f:	# the raw disk of a guest that never shipped
				f.truncate(1 << 20)
		dest = os.path.join(self.tmp, "dest")
		os.mkdir(dest)
		return scratch, dest

	def collect(self, scratch, dest, guest_status="ok"):
		guest = types.SimpleNamespace(status=guest_status, timeout_why="the guest did not end its job within 5 s")
		out, err = io.StringIO(), io.StringIO()
		with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
			status = results.collect(dest, scratch, guest, "6.1", "mteprobe", 5)
		return status, out.getvalue(), err.getvalue()

	def test_panic_keeps_the_streamed_rows(self):
		csv = (HEADER + "2,6.1,write,full\n2,6.1,pread,short\n2,6.1,wri").encode()
		data = (record("matrix.csv", 0, csv[:40]) + record("mteprobe.stdout", 0, b"case 1\n") +
			record("matrix.csv", 40, csv[40:]))
		scratch, dest = self.scratch(data, console="[  9.1] Kernel panic - not syncing: sysrq triggered crash\n")
		status, out, err = self.collect(scratch, dest)
		self.assertEqual(status, EX_KERNEL_REPORT)
		self.assertIn("mte-vm: 6.1: ended by a kernel problem: Kernel panic - not syncing: sysrq triggered crash; "
			      "2 rows kept from the stream (in matrix.csv; 2 files in all)\n", err)
		self.assertEqual(out, "case 1\n")
		with open(os.path.join(dest, "matrix.csv"), "rb") as f:
			self.assertEqual(f.read(), csv[:csv.rfind(b"\n") + 1])

	def test_host_timeout_with_a_job_status_on_the_stream_is_no_clean_run(self):
		data = record("rows.csv", 0, (HEADER + "2,6.1,write,full\n").encode()) + record("mteprobe.status", 0, b"0\n")
		scratch, dest = self.scratch(data)
		status, _, err = self.collect(scratch, dest, "timeout")
		self.assertEqual(status, EX_TIMEOUT)
		self.assertIn("6.1: ended by the host's timeout; 1 row kept from the stream", err)

	def test_a_shipped_disk_is_the_final_word(self):
		disk = {"matrix.csv": (HEADER + "2,6.1,write,full\n").encode(), "mteprobe.status": b"0\n"}
		data = record("matrix.csv", 0, b"stale\n") + record("extra.txt", 0, b"x\n")
		scratch, dest = self.scratch(data, disk, console="mte-vm-guest: results shipped\r\nmte-vm-guest: powering off\r\n")
		status, _, err = self.collect(scratch, dest)
		self.assertEqual((status, err), (0, ""))
		self.assertEqual(sorted(os.listdir(dest)), ["console.log", "matrix.csv", "mteprobe.status", "qemu-command.txt"])
		with open(os.path.join(dest, "matrix.csv"), "rb") as f:
			self.assertEqual(f.read(), disk["matrix.csv"])

	def test_no_stream_is_as_before(self):
		scratch, dest = self.scratch(b"", {"mteprobe.status": b"3\n"})
		self.assertEqual(self.collect(scratch, dest)[:2], (3, ""))


class GuestStreamerTest(TempDirTest):
	"""scripts/vm/stream under the host's busybox (the guest's is the same 1.35
	release), its port a plain file."""

	def setUp(self):
		super().setUp()
		need_tools("busybox")
		self.results = os.path.join(self.tmp, "results")
		os.mkdir(self.results)
		self.port = os.path.join(self.tmp, "port")
		self.env = dict(os.environ, MTE_VM_STREAM_STATE=os.path.join(self.tmp, "state"))
		self.script = os.path.join(TOP, "scripts/vm/stream")

	def streamer(self, *args):
		return ["busybox", "sh", self.script] + list(args)

	def wait_sent(self, path, size):
		sent = os.path.join(self.tmp, "state", "sent", path)
		for _ in range(300):
			try:
				with open(sent) as f:
					if f.read().strip() == str(size):
						return
			except OSError:
				pass
			time.sleep(0.05)
		self.fail(f"{path} not sent up to {size} bytes")

	def write(self, name, data, mode="ab"):
		path = os.path.join(self.results, name)
		os.makedirs(os.path.dirname(path), exist_ok=True)
		with open(path, mode) as f:
			f.write(data)
		return os.path.getsize(path)

	def test_files_sent_as_they_grow_then_stopped(self):
		follower = subprocess.Popen(self.streamer("follow", self.results, self.port), env=self.env,
					    stdout=subprocess.DEVNULL)
		self.addCleanup(lambda: follower.poll() is None and follower.kill())
		self.write("matrix.csv", HEADER.encode())
		n = self.write("matrix.csv", b"2,6.1,write,full\n2,6.1,wri")
		self.wait_sent("matrix.csv", n)
		# what came so far, as a guest that panics now would leave it
		with open(self.port, "rb") as f:
			s = stream.parse(f.read())
		self.assertEqual(stream.complete_lines(s.files["matrix.csv"]), (HEADER + "2,6.1,write,full\n").encode())
		self.write("matrix.csv", b"te,short\n")
		self.write("a dir/out put", bytes(range(256)))
		self.write("empty", b"")
		self.write("mteprobe.stdout", b"long line\n" * 20000)
		self.write("big.bin", os.urandom(5 << 19))	# more than one record's worth
		self.write("rewritten", b"first version, longer\n")
		self.wait_sent("rewritten", 22)
		self.write("rewritten", b"second\n", "wb")
		self.assertEqual(subprocess.run(self.streamer("stop"), env=self.env, timeout=30).returncode, 0)
		follower.wait(10)
		with open(self.port, "rb") as f:
			s = stream.parse(f.read())
		self.assertIsNone(s.error)
		want = {}
		for top, _, files in os.walk(self.results):
			for name in files:
				with open(os.path.join(top, name), "rb") as f:
					want[os.path.relpath(os.path.join(top, name), self.results)] = f.read()
		self.assertEqual(s.files, want)

	def test_stop_without_a_follower_fails_at_once(self):
		start = time.time()
		self.assertNotEqual(subprocess.run(self.streamer("stop"), env=self.env, timeout=30).returncode, 0)
		self.assertLess(time.time() - start, 5)


if __name__ == "__main__":
	unittest.main()
