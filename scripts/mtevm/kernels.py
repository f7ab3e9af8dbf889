# SPDX-License-Identifier: MIT
"""The kernels and filesystems mte-vm knows by name, and what an arm64 kernel image is.

Adding a Debian kernel is one entry in KERNELS: a short name, the suite, the package
spec (see debian.Apt.resolve) and a line for --list-kernels.
"""
from collections import namedtuple
import os

Kernel = namedtuple("Kernel", "name suite spec about")

# "meta:P" follows meta package P to its linux-image-* dependency; "re:R" is the newest
# package whose whole name matches the regular expression R; anything else is a package
# name. The linux-* packages that depend on the image package and carry its ABI in
# their names (7.x: linux-binary-*, linux-modules-*, linux-base-*) come along.
KERNELS = (
	Kernel("6.1", "bookworm", "meta:linux-image-arm64", "Debian 12 (bookworm)"),
	Kernel("6.12", "bookworm-backports", r"re:linux-image-6\.12\.[0-9]+\+deb[0-9]+-arm64-unsigned",
	       "Debian 12 backports (bookworm-backports)"),
	Kernel("5.10", "bullseye", "linux-image-5.10.0-32-arm64", "Debian 11 (bullseye), 5.10.223"),
	Kernel("trixie", "trixie", "meta:linux-image-arm64", "Debian 13 (trixie), 6.12.y"),
	Kernel("trixie-bpo", "trixie-backports", "meta:linux-image-arm64",
	       "Debian 13 backports (trixie-backports), 7.x, split packages"),
	Kernel("sid", "sid", "meta:linux-image-arm64", "Debian unstable (sid), 7.x, split packages"),
)
DEFAULT_KERNEL = "6.1"
BUSYBOX = Kernel("busybox", "bookworm", "busybox-static", "the guest's shell and tools")

# The filesystems mte-vm can mount in the guest: image size and mkfs command (the image
# path is appended). Each one's kernel module has the filesystem's name. 300M is what
# mkfs.xfs accepts at least; gfs2 runs single-node without a cluster, in on-disk format
# 1801 because 5.10 refuses mkfs.gfs2's default 1802 ("Unknown on-disk format").
Filesystem = namedtuple("Filesystem", "name size mkfs")
FILESYSTEMS = (
	Filesystem("btrfs", "300M", ("mkfs.btrfs", "-q", "-f")),
	Filesystem("ext4", "300M", ("mkfs.ext4", "-q", "-F")),
	Filesystem("xfs", "300M", ("mkfs.xfs", "-q", "-f")),
	Filesystem("f2fs", "300M", ("mkfs.f2fs", "-q", "-f")),
	Filesystem("gfs2", "300M", ("mkfs.gfs2", "-q", "-O", "-p", "lock_nolock", "-j", "1", "-o", "format=1801")),
	Filesystem("tmpfs", None, None),
)
# The virtio disk driver, the virtio serial port that streams the results
# (scripts/vm/stream) and their PCI transport: modules on some Debian kernels.
BASE_MODULES = ("virtio_pci", "virtio_blk", "virtio_console")


def kernel(name):
	return next((k for k in KERNELS if k.name == name), None)


def kernel_names():
	return " ".join(k.name for k in KERNELS)


def filesystem(name):
	return next((f for f in FILESYSTEMS if f.name == name), None)


def fs_names():
	return [f.name for f in FILESYSTEMS]


def size_mib(size):
	"""MiB of a size such as 300M or 1G."""
	return int(size[:-1]) * (1024 if size.endswith("G") else 1)


def is_arm64_image(path):
	"""What QEMU boots as an arm64 kernel: an Image ("ARM\\x64" at 0x38), its gzip, or an
	EFI zboot image ("MZ", then "zimg" at 4). Anything else would run as garbage until
	the timeout."""
	with open(path, "rb") as f:
		head = f.read(64)
	return head[56:60] == b"ARM\x64" or head[:2] == b"\x1f\x8b" or (head[:2] == b"MZ" and head[4:8] == b"zimg")


def find_kernel_in_tree(tree):
	"""(image, modules directory) of an unpacked Debian kernel: boot/vmlinuz-RELEASE and
	lib/modules/RELEASE up to 6.x, usr/lib/modules/RELEASE/vmlinuz (a plain Image) from
	7.x. None when the tree holds no kernel."""
	for mods in ("lib/modules", "usr/lib/modules"):
		top = os.path.join(tree, mods)
		if not os.path.isdir(top):
			continue
		for rel in sorted(os.listdir(top)):
			kmods = os.path.join(top, rel)
			for image in (os.path.join(tree, "boot", "vmlinuz-" + rel), os.path.join(kmods, "vmlinuz")):
				if os.path.isfile(image):
					return image, kmods
	return None
