# SPDX-License-Identifier: MIT
"""mtevm.debian: apt-get/apt-cache with a private state, on local repositories made of a
real Packages excerpt (trixie-backports, the split 7.x kernel packages) and of small
packages built here in the 7.x layout."""
import gzip
import hashlib
import os
import shutil
import subprocess
import unittest

from common import TempDirTest, fixture, need_tools, stderr_captured

from mtevm import debian, kernels


def write_repo(repo, suite, packages_text, valid_until=None):
	"""A flat apt repository: dists/SUITE/{Release,main/binary-arm64/Packages.gz}."""
	d = os.path.join(repo, "dists", suite, "main", "binary-arm64")
	os.makedirs(d, exist_ok=True)
	with gzip.open(os.path.join(d, "Packages.gz"), "wt") as f:
		f.write(packages_text)
	with open(os.path.join(d, "Packages.gz"), "rb") as f:
		data = f.read()
	plain = packages_text.encode()
	release = [f"Suite: {suite}", f"Codename: {suite}", "Architectures: arm64", "Components: main",
		   "Date: Sat, 01 Jan 2000 00:00:00 UTC"]
	if valid_until:
		release.append(f"Valid-Until: {valid_until}")
	# apt knows an index by its uncompressed name, and fetches the compressed one
	release += ["SHA256:", f" {hashlib.sha256(plain).hexdigest()} {len(plain)} main/binary-arm64/Packages",
		    f" {hashlib.sha256(data).hexdigest()} {len(data)} main/binary-arm64/Packages.gz"]
	with open(os.path.join(repo, "dists", suite, "Release"), "w") as f:
		f.write("\n".join(release) + "\n")


def build_deb(pool, name, version, depends, files):
	"""A .deb NAME VERSION holding FILES {path: bytes}; its Packages stanza."""
	root = os.path.join(pool, f"{name}_{version}-build")
	os.makedirs(os.path.join(root, "DEBIAN"))
	with open(os.path.join(root, "DEBIAN", "control"), "w") as f:
		f.write(f"Package: {name}\nVersion: {version}\nArchitecture: arm64\nMaintainer: test <t@example.org>\n"
			+ (f"Depends: {depends}\n" if depends else "") + "Description: test package\n")
	for path, data in files.items():
		os.makedirs(os.path.dirname(os.path.join(root, path)), exist_ok=True)
		with open(os.path.join(root, path), "wb") as f:
			f.write(data)
	deb = os.path.join(pool, f"{name}_{version}_arm64.deb")
	subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "-b", root, deb], check=True, capture_output=True)
	with open(deb, "rb") as f:
		data = f.read()
	return (f"Package: {name}\nVersion: {version}\nArchitecture: arm64\n"
		+ (f"Depends: {depends}\n" if depends else "")
		+ f"Filename: pool/{os.path.basename(deb)}\nSize: {len(data)}\nSHA256: {hashlib.sha256(data).hexdigest()}\n"
		"Description: test package\n")


ARM64_IMAGE = b"\0" * 56 + b"ARM\x64" + b"\0" * 64


def split_kernel(pool, version, abi):
	"""The 7.x layout: linux-image-arm64 -> linux-image-ABI (a metapackage) -> linux-binary-ABI
	(vmlinuz, a plain Image), linux-modules-ABI (.ko.xz), linux-base-ABI (config)."""
	mods = f"usr/lib/modules/{abi}"
	stanzas = [
		build_deb(pool, "linux-image-arm64", version,
			  f"linux-base-arm64 (= {version}), linux-image-{abi} (= {version}), linux-modules-arm64 (= {version})", {}),
		build_deb(pool, f"linux-image-{abi}", version,
			  f"dracut | initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool, linux-base-{abi} (= {version}), "
			  f"linux-binary-{abi} (= {version}), linux-modules-{abi} (= {version})", {}),
		build_deb(pool, f"linux-binary-{abi}", version, None, {f"{mods}/vmlinuz": ARM64_IMAGE}),
		build_deb(pool, f"linux-modules-{abi}", version, None, {f"{mods}/kernel/fs/ext4/ext4.ko.xz": b"xz"}),
		build_deb(pool, f"linux-base-{abi}", version, None, {f"{mods}/config": b"CONFIG_ARM64_MTE=y\n"}),
	]
	return "\n".join(stanzas)


class StanzaTest(unittest.TestCase):
	def test_real_packages_excerpt(self):
		with open(fixture("Packages.trixie-backports")) as f:
			stanzas = debian.parse_stanzas(f.read())
		image = next(s for s in stanzas if s["Package"] == "linux-image-7.3.4+deb13-arm64")
		self.assertEqual(debian.depends_names(image["Depends"]),
				 ["dracut", "linux-base-7.3.4+deb13-arm64", "linux-binary-7.3.4+deb13-arm64",
				  "linux-modules-7.3.4+deb13-arm64"])
		self.assertIn("\n", next(s for s in stanzas if s["Package"] == "linux-base-arm64")["Description"] + "\n")


class AptTest(TempDirTest):
	def setUp(self):
		super().setUp()
		need_tools("apt-get", "apt-cache", "dpkg", "dpkg-deb")
		self.repo = os.path.join(self.tmp, "repo")

	def apt(self, suite):
		return debian.Apt(os.path.join(self.tmp, "apt", suite), "file:" + self.repo, suite, signed_by=None)

	def updated_apt(self, packages, suite):
		"""The repository's SUITE holds the fixture PACKAGES (an index): apt, updated."""
		with open(fixture(packages)) as f:
			write_repo(self.repo, suite, f.read())
		apt = self.apt(suite)
		apt.update()
		return apt

	def publish_split_kernel(self, suite, version, abi):
		"""The repository's SUITE now holds one 7.x-style kernel (and no older .debs)."""
		pool = os.path.join(self.repo, "pool")
		os.makedirs(pool, exist_ok=True)
		for f in os.listdir(pool):
			if f.endswith(".deb"):
				os.unlink(os.path.join(pool, f))
		write_repo(self.repo, suite, split_kernel(pool, version, abi))

	def test_resolves_the_split_7x_kernel_from_the_real_index(self):
		apt = self.updated_apt("Packages.trixie-backports", "trixie-backports")
		entry = kernels.kernel("trixie-bpo")
		got = [p[:2] for p in apt.resolve(entry.spec)]
		want_version = "7.3.4-1~bpo13+1"
		self.assertEqual(got, [(f"linux-{p}-7.3.4+deb13-arm64", want_version) for p in ("image", "base", "binary", "modules")])

	def test_newest_matching_name_compares_debian_versions(self):
		apt = self.updated_apt("Packages.trixie-backports", "trixie-backports")
		# 7.2.12 sorts after 7.2.9 as a version, before it as a string; 7.3.4 is the newest
		self.assertEqual(apt.newest(r"linux-binary-7\.2\.[0-9]+\+deb13-arm64")[0], "linux-binary-7.2.12+deb13-arm64")
		self.assertEqual(apt.newest(r"linux-binary-7\.[0-9.]+\+deb13-arm64")[0], "linux-binary-7.3.4+deb13-arm64")

	def test_6_12_entry_picks_the_unsigned_arm64_image_only(self):
		apt = self.updated_apt("Packages.bookworm-backports", "bookworm-backports")
		got = apt.resolve(kernels.kernel("6.12").spec)
		self.assertEqual([p[0] for p in got], ["linux-image-6.12.95+deb12-arm64-unsigned"])

	def test_missing_package_names_suite_and_mirror(self):
		apt = self.updated_apt("Packages.bookworm-backports", "sid")
		self.assertIn("no package linux-image-arm64 in sid's index", self.failure(69, apt.resolve, "meta:linux-image-arm64"))

	def test_unreachable_mirror_is_one_line_with_the_fix(self):
		apt = debian.Apt(os.path.join(self.tmp, "apt", "x"), "file:" + self.repo, "nosuch", signed_by=None)
		self.assertIn("MTEPROBE_MIRROR", self.failure(69, apt.update))

	def test_expired_release_is_said_and_used(self):
		"""sid's and experimental's InRelease can be past Valid-Until: apt refuses it
		(with the message below, as apt 2.6 prints it), mte-vm says so in one line and goes
		on without the check. A stand-in apt-get first on PATH refuses like apt until it
		is given -o Acquire::Check-Valid-Until=false, then runs the real one."""
		self.publish_split_kernel("sid", "9.9.9-1", "9.9.9+deb14-arm64")
		bindir = os.path.join(self.tmp, "bin")
		os.makedirs(bindir)
		real = shutil.which("apt-get")
		with open(os.path.join(bindir, "apt-get"), "w") as f:
			f.write(f"""#!/bin/sh
case " $* " in
*" Acquire::Check-Valid-Until=false "*) exec {real} "$@" ;;
*" update "*)
	echo "E: Release file for http://deb.debian.org/debian/dists/sid/InRelease is expired (invalid since 12d 3h 5min 2s). Updates for this repository will not be applied." >&2
	exit 100 ;;
esac
exec {real} "$@"
""")
		os.chmod(os.path.join(bindir, "apt-get"), 0o755)
		path = os.environ["PATH"]
		os.environ["PATH"] = bindir + ":" + path
		self.addCleanup(os.environ.__setitem__, "PATH", path)
		apt = self.apt("sid")
		with stderr_captured() as err:
			apt.update()
		said = err.getvalue().splitlines()
		self.assertEqual(len(said), 1, said)
		self.assertIn("sid's Release file at file:", said[0])
		self.assertIn("past its Valid-Until date (expired 12d 3h 5min 2s ago)", said[0])
		self.assertEqual(apt.resolve("meta:linux-image-arm64")[0][0], "linux-image-9.9.9+deb14-arm64")
		# remembered: the next update goes without the check at once, silently
		with stderr_captured() as err:
			self.apt("sid").update()
		self.assertEqual(err.getvalue(), "")

	def test_split_packages_unpack_into_one_tree_with_the_kernel_under_usr_lib_modules(self):
		self.publish_split_kernel("trixie-backports", "9.9.9-1", "9.9.9+deb13-arm64")
		cache = os.path.join(self.tmp, "cache")
		apt = self.apt("trixie-backports")
		tree = debian.unpacked_packages(apt, "meta:linux-image-arm64", cache, lambda mib, what: None)
		self.assertEqual(os.path.basename(tree), "linux-image-9.9.9+deb13-arm64_9.9.9-1")
		image, kmods = kernels.find_kernel_in_tree(tree)
		self.assertEqual(os.path.relpath(image, tree), "usr/lib/modules/9.9.9+deb13-arm64/vmlinuz")
		self.assertTrue(kernels.is_arm64_image(image))
		self.assertTrue(os.path.exists(os.path.join(kmods, "kernel/fs/ext4/ext4.ko.xz")))
		self.assertTrue(os.path.exists(os.path.join(kmods, "config")))
		# cached: a second call needs neither the repository nor apt
		os.rename(self.repo, self.repo + ".gone")
		self.assertEqual(debian.unpacked_packages(self.apt("trixie-backports"), "meta:linux-image-arm64", cache,
							  lambda mib, what: None), tree)

	def test_stale_index_is_fetched_again_once(self):
		self.publish_split_kernel("trixie-backports", "9.9.9-1", "9.9.9+deb13-arm64")
		cache = os.path.join(self.tmp, "cache")
		self.apt("trixie-backports").resolve_cached("meta:linux-image-arm64")
		# Debian drops the old kernel from the pool and publishes a new one
		self.publish_split_kernel("trixie-backports", "9.9.10-1", "9.9.10+deb13-arm64")
		apt = self.apt("trixie-backports")
		with stderr_captured() as err:
			tree = debian.unpacked_packages(apt, "meta:linux-image-arm64", cache, lambda mib, what: None)
		self.assertIn("fetching trixie-backports's index again", err.getvalue())
		self.assertEqual(os.path.basename(tree), "linux-image-9.9.10+deb13-arm64_9.9.10-1")


if __name__ == "__main__":
	unittest.main()
