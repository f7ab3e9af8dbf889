# SPDX-License-Identifier: MIT
"""mtevm.main.parse_args, mtevm.qemu.command and mtevm.initramfs: the command line, the
QEMU machine (with and without MTE) and what the guest is told."""
import os
import subprocess
import unittest

import shutil

from common import TOP, TempDirTest, need_tools

from mtevm import initramfs, kernels, main, qemu


class ParseArgsTest(TempDirTest):
	def refused(self, *argv):
		return self.failure(64, main.parse_args, list(argv))

	def test_defaults(self):
		o = main.parse_args([])
		self.assertEqual((o.kernels, o.job, o.timeout, o.mte), (("6.1",), main.DEFAULT_JOB, 600, True))
		self.assertEqual(o.fs, tuple(kernels.fs_names()))

	def test_every_named_kernel_is_accepted(self):
		for k in kernels.KERNELS:
			self.assertEqual(main.parse_args(["--kernel", k.name, "--", "true"]).kernels, (k.name,))
		self.assertEqual(main.parse_args(["--kernels", "5.10,trixie-bpo"]).kernels, ("5.10", "trixie-bpo"))

	def test_bad_input_names_the_problem(self):
		self.assertIn("'4.19'", self.refused("--kernel", "4.19"))
		self.assertIn("trixie-bpo", self.refused("--kernel", "4.19"))
		self.assertIn("'zfs'", self.refused("--fs", "btrfs,zfs"))
		self.assertIn("10m", self.refused("--timeout", "10m"))
		self.assertIn("1.5M", self.refused("--slow-disk", "1.5M"))
		self.assertIn("--modules", self.refused("--kernel", "6.1", "--modules", self.tmp))
		self.assertIn("mteprobe selftest", self.refused("--"))
		self.assertIn("not both", self.refused("--kernel", "6.1", "--kernels", "5.10"))
		self.assertIn("-cpu help", self.refused("--cpu", "max;reboot"))
		self.assertIn("--cpu needs a value", self.refused("--cpu"))

	def test_fs_list_deduplicated_none_empty_and_rates(self):
		self.assertEqual(main.parse_args(["--fs", "ext4,tmpfs,ext4"]).fs, ("ext4", "tmpfs"))
		self.assertEqual(main.parse_args(["--fs", "none"]).fs, ())
		self.assertEqual([main.disk_rate(v) for v in ("512", "256k", "1M", "511", "2000000000000")],
				 [512, 262144, 1 << 20, None, None])

	def test_cpu_and_no_mte(self):
		o = main.parse_args(["--cpu", "neoverse-v1", "--no-mte", "--", "mteprobe", "selftest"])
		self.assertEqual((o.cpu, o.mte, o.job), ("neoverse-v1", False, ["mteprobe", "selftest"]))
		os.environ["MTEPROBE_QEMU_CPU"] = "max,pauth-impdef=on"
		self.addCleanup(os.environ.pop, "MTEPROBE_QEMU_CPU")
		self.assertEqual(main.parse_args([]).cpu, "max,pauth-impdef=on")


class AddTest(TempDirTest):
	def test_add_files_for_the_guest(self):
		repro = os.path.join(self.tmp, "repro")
		open(repro, "w").close()
		o = main.parse_args(["--add", repro, "--add", repro, "--", "repro", "/mnt/ext4"])
		self.assertEqual((o.add, o.job), ((repro, repro), ["repro", "/mnt/ext4"]))
		for argv, words in ((["--add"], "--add needs a file"),
				    (["--add", os.path.join(self.tmp, "nothing")], "no such file"),
				    (["--add", os.path.join(self.tmp, "mteprobe")], "rename")):
			if words == "rename":
				open(argv[1], "w").close()
			self.assertIn(words, self.failure(64, main.parse_args, argv))

	def test_job_archive_holds_mteprobe_and_the_added_files(self):
		need_tools("cpio")
		files = {}
		for name in ("mteprobe.arm64", "repro", "base.cpio"):
			files[name] = os.path.join(self.tmp, name)
			with open(files[name], "w") as f:
				f.write(name)
		out = os.path.join(self.tmp, "initrd.cpio")
		initramfs.job_initramfs(files["base.cpio"], out, self.tmp, files["mteprobe.arm64"], "set -- true\n", "",
					(files["repro"],))
		listing = subprocess.run(["cpio", "-it", "--quiet", "-F", os.path.join(self.tmp, "job.cpio")],
					 capture_output=True, text=True).stdout.split()
		self.assertIn("bin/mteprobe", listing)
		self.assertIn("bin/repro", listing)
		with open(out) as f:
			self.assertTrue(f.read().startswith("base.cpio"))


class ReportTest(TempDirTest):
	"""The main job's report, from real matrices of two kernels (tests/report)."""
	def setUp(self):
		super().setUp()
		self.reader = os.environ.get("MTEPROBE")
		if not self.reader:
			self.skipTest("MTEPROBE (the host's mteprobe) is not set: run it from meson test")

	def host_with_results(self, argv, kernels_run):
		host = main.Host(main.parse_args(argv))
		for k in kernels_run:
			d = os.path.join(self.tmp, "results", k)
			os.makedirs(d)
			shutil.copyfile(os.path.join(TOP, f"tests/report/matrix-{k}.csv"), os.path.join(d, "matrix.csv"))
			host.result_dirs.append(d)
		return host

	def test_one_kernel_report_beside_its_csv(self):
		host = self.host_with_results(["--kernel", "6.1"], ["6.1"])
		html = host.report(self.reader)
		self.assertEqual(html, os.path.join(self.tmp, "results/6.1/report.html"))
		with open(html) as f:
			self.assertIn("6.1.0", f.read())

	def test_several_kernels_one_report_in_out(self):
		out = os.path.join(self.tmp, "out")
		host = self.host_with_results(["--kernels", "5.10,6.1", "--out", out], ["5.10", "6.1"])
		html = host.report(self.reader)
		self.assertEqual(html, os.path.join(out, "report.html"))
		with open(html) as f:
			page = f.read()
		self.assertIn("5.10.0", page)
		self.assertIn("6.1.0", page)

	def test_nothing_to_report(self):
		host = self.host_with_results(["--kernel", "6.1"], [])
		self.assertIsNone(host.report(self.reader))


class OwnKernelTest(TempDirTest):
	def test_own_image_and_modules_directory(self):
		image = os.path.join(self.tmp, "Image")
		with open(image, "wb") as f:
			f.write(b"\0" * 56 + b"ARM\x64")
		mods = os.path.join(self.tmp, "lib/modules/6.14.0")
		os.makedirs(mods)
		open(os.path.join(mods, "modules.dep"), "w").close()
		host = main.Host(main.parse_args(["--kernel", image, "--modules", mods]))
		host.scratch = self.tmp
		self.assertEqual(host.label(image), "6.14.0")
		self.assertIn("depmod -b BASE RELEASE", self.failure(64, host.prepare_kernel, image))
		open(os.path.join(mods, "modules.dep.bin"), "w").close()
		got, tree = host.prepare_kernel(image)
		self.assertEqual((got, tree.base, tree.release), (image, self.tmp, "6.14.0"))
		host = main.Host(main.parse_args(["--kernel", image]))
		self.assertEqual((host.label(image), host.prepare_kernel(image)), ("custom", (image, None)))


class QemuCommandTest(unittest.TestCase):
	def test_machine_with_and_without_mte(self):
		argv = qemu.command("Image", "initrd", "console.log", "results.img", [("ext4", "ext4.img")], "stream.bin")
		self.assertEqual(argv[argv.index("-M") + 1], "virt,mte=on")
		self.assertEqual(argv[argv.index("-cpu") + 1], qemu.DEFAULT_CPU)
		argv = qemu.command("Image", "initrd", "console.log", "results.img", [], "stream.bin", cpu="neoverse-v1", mte=False)
		self.assertEqual((argv[argv.index("-M") + 1], argv[argv.index("-cpu") + 1]), ("virt,mte=off", "neoverse-v1"))

	def test_disks_copy_on_write_throttled_results_disk_never(self):
		argv = qemu.command("Image", "initrd", "c", "results.img", [("ext4", "ext4.img")], "stream.bin", slow_disk=262144)
		drives = [argv[i + 1] for i, a in enumerate(argv) if a == "-drive"]
		self.assertEqual(drives, ["if=none,id=results,file=results.img,format=raw",
					  "if=none,id=ext4,file=ext4.img,format=raw,snapshot=on,cache=unsafe,throttling.bps-total=262144"])
		self.assertIn("virtio-blk-pci,drive=ext4,serial=ext4,request-merging=off", argv)


class InitramfsTest(TempDirTest):
	def test_job_script_quotes_for_the_guest_shell(self):
		script = initramfs.job_script(15, 10, ["ext4", "tmpfs"], 262144, ["sh", "-c", "echo 'it''s' $HOME"])
		out = subprocess.run(["sh", "-c", script + 'printf "%s|" "$JOB_TIMEOUT" "$FS_LIST" "$DISK_MAX_KB" "$@"'],
				     capture_output=True, text=True).stdout
		self.assertEqual(out, "15|ext4 tmpfs|16|sh|-c|echo 'it''s' $HOME|")

	def test_disk_max_kb_is_a_power_of_two_within_the_bucket(self):
		self.assertEqual([initramfs.disk_max_kb(r) for r in (None, 1024, 262144, 524288, 1 << 40)], [None, 4, 16, 32, 1024])

	def test_cpio_holds_the_tree_owned_by_root(self):
		need_tools("cpio")
		d = os.path.join(self.tmp, "d")
		os.makedirs(os.path.join(d, "etc/mte-vm"))
		with open(os.path.join(d, "etc/mte-vm/job.sh"), "w") as f:
			f.write("set -- true\n")
		os.symlink("../bin/busybox", os.path.join(d, "etc/link"))
		initramfs.make_cpio(d, os.path.join(self.tmp, "a.cpio"))
		listing = subprocess.run(["cpio", "-itv", "--quiet", "-F", os.path.join(self.tmp, "a.cpio")],
					 capture_output=True, text=True).stdout.splitlines()
		names = [(l.split()[-1] if "->" not in l else l.split()[-3]).removeprefix("./") for l in listing]
		self.assertEqual(names, ["etc", "etc/link", "etc/mte-vm", "etc/mte-vm/job.sh"])
		self.assertTrue(all(" root " in l for l in listing), listing)


if __name__ == "__main__":
	unittest.main()
