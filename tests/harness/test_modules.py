# SPDX-License-Identifier: MIT
"""mtevm.modules on a real module index: Debian's 7.3.4+deb13-arm64 (trixie-backports)
modules.dep, softdeps, aliases and built-ins, with empty files standing in for the
.ko.xz modules (modprobe --show-depends reads the index, and checks the files exist)."""
import lzma
import os
import shutil
import tarfile
import tempfile
import unittest

from common import TempDirTest, fixture, need_tools

from mtevm import modules

RELEASE = "7.3.4+deb13-arm64"


class ModuleTreeTest(TempDirTest):
	@classmethod
	def setUpClass(cls):
		need_tools("modprobe", "depmod")
		cls.top = tempfile.mkdtemp(prefix="harness-modules.")
		# where Debian 7.x puts them: usr/lib/modules/RELEASE
		cls.kmods = os.path.join(cls.top, "tree/usr/lib/modules", RELEASE)
		os.makedirs(cls.kmods)
		with tarfile.open(fixture(f"modules-{RELEASE}.tar.xz")) as t:
			t.extractall(cls.kmods)
		with open(os.path.join(cls.kmods, "modules.dep")) as f:
			for line in f:
				path = os.path.join(cls.kmods, line.split(":")[0])
				os.makedirs(os.path.dirname(path), exist_ok=True)
				with lzma.open(path, "wb", preset=0) as m:
					m.write(b"stand-in for " + line.split(":")[0].encode())

	@classmethod
	def tearDownClass(cls):
		shutil.rmtree(cls.top, True)

	def setUp(self):
		super().setUp()
		self.tree = modules.ModuleTree(self.kmods, os.path.join(self.tmp, "scratch"))

	def test_hard_dependencies_before_the_module_softdeps_marked_soft(self):
		got = self.tree.load_order(["ext4"])
		self.assertEqual(got, [("soft", "kernel/crypto/crc32c-cryptoapi.ko.xz"),
				       ("hard", "kernel/fs/jbd2/jbd2.ko.xz"),
				       ("hard", "kernel/fs/mbcache.ko.xz"),
				       ("hard", "kernel/lib/crc/crc16.ko.xz"),
				       ("hard", "kernel/fs/ext4/ext4.ko.xz")])

	def test_several_modules_share_dependencies_once(self):
		got = self.tree.load_order(["virtio_pci", "virtio_blk", "btrfs", "ext4", "xfs", "f2fs", "gfs2"])
		paths = [p for _, p in got]
		self.assertEqual(len(paths), len(set(paths)))
		for need, mod in (("kernel/fs/dlm/dlm.ko.xz", "kernel/fs/gfs2/gfs2.ko.xz"),
				  ("kernel/lib/raid/xor/xor.ko.xz", "kernel/fs/btrfs/btrfs.ko.xz")):
			self.assertLess(paths.index(need), paths.index(mod))
		self.assertIn(("hard", "kernel/drivers/block/virtio_blk.ko.xz"), got)
		self.assertEqual(sum(1 for k, _ in got if k == "soft"), 1)

	def test_builtin_module_and_missing_filesystem(self):
		self.assertEqual(self.tree.availability("virtio_pci"), "builtin")
		self.assertEqual(self.tree.availability("btrfs"), "module")
		self.assertIsNone(self.tree.availability("zfs"))
		self.assertEqual(self.tree.load_order(["virtio_pci", "zfs"]), [])

	def test_a_modules_directory_anywhere_is_linked_where_modprobe_looks(self):
		elsewhere = os.path.join(self.tmp, RELEASE)
		os.symlink(self.kmods, elsewhere)
		tree = modules.ModuleTree(elsewhere, os.path.join(self.tmp, "scratch2"))
		self.assertEqual(tree.base, os.path.join(self.top, "tree/usr"))
		moved = os.path.join(self.tmp, "moved")
		os.rename(self.kmods, moved)
		self.addCleanup(os.rename, moved, self.kmods)
		tree = modules.ModuleTree(moved, os.path.join(self.tmp, "scratch3"))
		self.assertEqual(tree.base, os.path.join(self.tmp, "scratch3", "modroot"))
		self.assertEqual(tree.availability("xfs"), "module")

	def test_guest_list_and_staging_decompress_for_busybox_insmod(self):
		listed = modules.guest_module_list(self.tree, ["xfs", "f2fs"]).splitlines()
		self.assertEqual(listed, [f"hard /lib/modules/{RELEASE}/kernel/fs/xfs/xfs.ko",
					  f"hard /lib/modules/{RELEASE}/kernel/lib/lz4/lz4hc_compress.ko",
					  f"hard /lib/modules/{RELEASE}/kernel/fs/f2fs/f2fs.ko"])
		stage = os.path.join(self.tmp, "stage")
		modules.stage_modules(self.tree, stage, ["xfs"])
		with open(os.path.join(stage, "lib/modules", RELEASE, "kernel/fs/xfs/xfs.ko"), "rb") as f:
			self.assertEqual(f.read(), b"stand-in for kernel/fs/xfs/xfs.ko.xz")
		self.assertTrue(os.path.exists(os.path.join(stage, "lib/modules", RELEASE, "modules.builtin")))


if __name__ == "__main__":
	unittest.main()
