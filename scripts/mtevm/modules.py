# SPDX-License-Identifier: MIT
"""Which kernel modules the guest loads, in what order, resolved by kmod's own
`modprobe --show-depends` (modules.dep, softdeps and aliases, as the kernel's users get
them), and staging them into the initramfs.

A modules directory is any lib/modules/RELEASE directory with a modules.dep; modprobe
wants it at BASE/lib/modules/RELEASE, so ModuleTree links it there under a directory
of its own when it sits elsewhere.
"""
import gzip
import lzma
import os
import shutil
import subprocess

from .status import host_error


def norm(name):
	return name.replace("-", "_")


def module_name(path):
	base = os.path.basename(path)
	return norm(base[:base.index(".ko")] if ".ko" in base else base)


class ModuleTree:
	def __init__(self, kmods, scratch):
		self.kmods = os.path.realpath(kmods)
		self.release = os.path.basename(self.kmods)
		parent = os.path.dirname(self.kmods)
		if parent.endswith("/lib/modules"):
			self.base = parent[:-len("/lib/modules")]
		else:
			self.base = os.path.join(scratch, "modroot")
			os.makedirs(os.path.join(self.base, "lib/modules"), exist_ok=True)
			link = os.path.join(self.base, "lib/modules", self.release)
			if not os.path.islink(link):
				os.symlink(self.kmods, link)
		self._dep = None

	def hard_deps(self):
		"""modules.dep as {module path: [paths it needs]} (depmod writes the whole closure)."""
		if self._dep is None:
			self._dep = {}
			with open(os.path.join(self.kmods, "modules.dep")) as f:
				for line in f:
					if ":" in line:
						path, deps = line.split(":", 1)
						self._dep[path.strip()] = deps.split()
		return self._dep

	def show_depends(self, name):
		"""modprobe's plan for NAME: ("insmod", relative path) and ("builtin", name) steps;
		None when the kernel has no such module."""
		p = subprocess.run(["modprobe", "-C", "/dev/null", "-d", self.base, "-S", self.release,
				    "--show-depends", name], capture_output=True, text=True)
		if p.returncode != 0:
			return None
		steps = []
		prefix = os.path.join(self.base, "lib/modules", self.release) + "/"
		for line in p.stdout.splitlines():
			words = line.split()
			if len(words) >= 2 and words[0] == "insmod":
				path = words[1]
				steps.append(("insmod", path[len(prefix):] if path.startswith(prefix) else path))
			elif len(words) >= 2 and words[0] == "builtin":
				steps.append(("builtin", norm(words[1])))
		return steps

	def availability(self, name):
		""""module", "builtin" or None: whether the kernel can have NAME at all."""
		steps = self.show_depends(name)
		if not steps:
			return None
		if ("builtin", norm(name)) in steps:
			return "builtin"
		return "module"

	def load_order(self, names):
		"""[(kind, path)] for the named modules and what they need, in load order, kind
		"hard" for the module and its modules.dep dependencies, "soft" for softdeps (and
		what they need), whose failure is no error (as with modprobe). Built-in and absent
		modules are left out: availability() tells them apart."""
		order, kinds = [], {}
		deps = self.hard_deps()
		for name in names:
			steps = self.show_depends(name) or []
			paths = [p for kind, p in steps if kind == "insmod"]
			own = [p for p in paths if module_name(p) == norm(name)]
			hard = set(own)
			for p in own:
				hard.update(deps.get(p, ()))
			for p in paths:
				kind = "hard" if p in hard else "soft"
				if p not in kinds:
					order.append(p)
					kinds[p] = kind
				elif kind == "hard":
					kinds[p] = "hard"
		return [(kinds[p], p) for p in order]


# The compressions of modules, and how Python reads each (zstd: with the zstd command)
DECOMPRESSORS = {".xz": lzma.open, ".gz": gzip.open, ".zst": None}


def compression(path):
	"""The module's compression suffix (a key of DECOMPRESSORS), "" when plain."""
	return next((ext for ext in DECOMPRESSORS if path.endswith(ext)), "")


def decompressed_name(path):
	ext = compression(path)
	return path[:-len(ext)] if ext else path


def stage_modules(tree, stage, names):
	"""Copies the modules (decompressed: busybox insmod reads plain .ko only) with what
	they need into STAGE/lib/modules/RELEASE, and indexes them there with depmod for the
	kernel's own module requests, which go to /sbin/modprobe."""
	dest = os.path.join(stage, "lib/modules", tree.release)
	os.makedirs(dest, exist_ok=True)
	for _, path in tree.load_order(names):
		src = os.path.join(tree.kmods, path)
		out = os.path.join(dest, decompressed_name(path))
		os.makedirs(os.path.dirname(out), exist_ok=True)
		ext = compression(path)
		if ext == ".zst":
			with open(out, "wb") as o:
				if subprocess.run(["zstd", "-qdc", src], stdout=o).returncode != 0:
					raise host_error(f"cannot decompress {src} with zstd; run scripts/install-deps")
		elif ext:
			with DECOMPRESSORS[ext](src) as i, open(out, "wb") as o:
				shutil.copyfileobj(i, o)
		else:
			shutil.copyfile(src, out)
	for f in os.listdir(tree.kmods):
		if f.startswith("modules.builtin") or f == "modules.order":
			shutil.copyfile(os.path.join(tree.kmods, f), os.path.join(dest, f))
	p = subprocess.run(["depmod", "-b", stage, tree.release], capture_output=True, text=True)
	if p.returncode != 0:
		raise host_error(f"depmod failed on the initramfs modules: {p.stderr.strip()}")


def guest_module_list(tree, names):
	"""The guest's /etc/mte-vm/modules: "hard|soft PATH" in load order, paths as the
	guest sees them (decompressed)."""
	return "".join(f"{kind} /lib/modules/{tree.release}/{decompressed_name(path)}\n"
		       for kind, path in tree.load_order(names))
