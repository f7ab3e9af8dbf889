# SPDX-License-Identifier: MIT
"""Debian packages for the guest, through apt-get and apt-cache with a private state.

Each suite has its own apt root in the cache (CACHE/apt/SUITE: sources.list, lists,
nothing installed), so apt verifies InRelease against Debian's keyring, the index
against InRelease and each .deb against the index, and the host's own apt setup is
never touched or read. The index is fetched once, then again only on request
(MTEPROBE_REFRESH) or when a download fails because it went stale.
"""
import functools
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess

from .status import host_error, say

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


def parse_stanzas(text):
	"""The fields of each deb822 stanza (apt-cache show output), continuation lines joined."""
	stanzas, fields, last = [], {}, None
	for line in text.splitlines():
		if not line.strip():
			if fields:
				stanzas.append(fields)
			fields, last = {}, None
		elif line[0] in " \t" and last:
			fields[last] += "\n" + line.strip()
		elif ":" in line:
			last, value = line.split(":", 1)
			fields[last] = value.strip()
	if fields:
		stanzas.append(fields)
	return stanzas


def depends_names(depends):
	"""Package names of a Depends field; of alternatives, the first."""
	names = []
	for part in depends.split(","):
		first = part.split("|")[0].strip()
		if first:
			names.append(re.split(r"[\s(:]", first, maxsplit=1)[0])
	return names


def compare_versions(a, b):
	if a == b:
		return 0
	lt = subprocess.run(["dpkg", "--compare-versions", a, "lt", b]).returncode == 0
	return -1 if lt else 1


class Apt:
	"""apt-get and apt-cache for one SUITE of MIRROR, state under ROOT. SIGNED_BY is the
	keyring the suite's InRelease must verify against; None marks the source trusted
	(the unit tests' local repositories)."""

	def __init__(self, root, mirror, suite, signed_by=KEYRING, arch="arm64"):
		self.root, self.mirror, self.suite = root, mirror, suite
		self.signed_by, self.arch = signed_by, arch
		self.updated = False	# this run fetched the index already
		self.check_valid_until = True

	def options(self):
		r = self.root
		opts = {
			"Dir": r, "Dir::State": f"{r}/state", "Dir::State::status": f"{r}/state/status",
			"Dir::Cache": f"{r}/cache", "Dir::Etc": f"{r}/etc",
			"Dir::Etc::sourceparts": f"{r}/etc/sources.list.d", "Dir::Etc::preferencesparts": f"{r}/etc/preferences.d",
			"Dir::Etc::parts": f"{r}/etc/apt.conf.d", "Dir::Etc::trustedparts": f"{r}/etc/trusted.gpg.d",
			"Dir::Log": f"{r}/log",
			"APT::Architecture": self.arch, "APT::Architectures": self.arch,
			"Acquire::Languages": "none", "APT::Sandbox::User": "root",
			"Acquire::Retries": "3", "Acquire::http::Timeout": "30",
		}
		if not self.check_valid_until or os.path.exists(f"{r}/valid-until-expired"):
			opts["Acquire::Check-Valid-Until"] = "false"
		args = []
		for k, v in opts.items():
			args += ["-o", f"{k}={v}"]
		return args

	def run(self, tool, *args, cwd=None):
		# no host apt.conf: this state is private
		conf = f"{self.root}/etc/apt.conf"
		if not os.path.exists(conf):
			os.makedirs(os.path.dirname(conf), exist_ok=True)
			open(conf, "w").close()
		env = dict(os.environ, LC_ALL="C.UTF-8", APT_CONFIG=conf)
		return subprocess.run([tool, *self.options(), *args], cwd=cwd, env=env,
				      capture_output=True, text=True)

	def has_index(self):
		return bool(glob.glob(f"{self.root}/state/lists/*_Packages*"))

	def update(self):
		"""Fetches the suite's index. An InRelease past its Valid-Until (sid's and
		experimental's can be) is said once and accepted: its signature still holds."""
		for d in ("etc/sources.list.d", "etc/preferences.d", "etc/apt.conf.d", "etc/trusted.gpg.d",
			  "state/lists/partial", "cache/archives/partial", "log"):
			os.makedirs(f"{self.root}/{d}", exist_ok=True)
		open(f"{self.root}/state/status", "a").close()
		trust = f"signed-by={self.signed_by}" if self.signed_by else "trusted=yes"
		with open(f"{self.root}/etc/sources.list", "w") as f:
			f.write(f"deb [arch={self.arch} {trust}] {self.mirror} {self.suite} main\n")
		p = self.run("apt-get", "update")
		expired = re.search(r"Release file for \S+ is expired \(invalid since ([^)]*)\)", p.stderr)
		if expired:
			say(f"{self.suite}'s Release file at {self.mirror} is past its Valid-Until date "
			    f"(expired {expired.group(1)} ago); using it anyway, its signature verifies")
			with open(f"{self.root}/valid-until-expired", "w") as f:
				f.write(expired.group(1) + "\n")
			p = self.run("apt-get", "update")
		errors = [l[3:] for l in p.stderr.splitlines() if l.startswith("E: ")]
		errors += [l[3:] for l in p.stderr.splitlines() if l.startswith("W: ") and ("Failed to fetch" in l or "not signed" in l or "NO_PUBKEY" in l)]
		if p.returncode != 0 or errors or not self.has_index():
			why = errors[0] if errors else (p.stderr.strip().splitlines() or ["no index came"])[-1]
			raise host_error(f"cannot fetch the {self.suite} index from {self.mirror}: {why}; check the network "
					 "or set MTEPROBE_MIRROR to a reachable Debian mirror")
		for f in glob.glob(f"{self.root}/resolved-*"):
			os.unlink(f)
		self.updated = True

	def ensure_index(self, refresh=False):
		if not self.has_index() or (refresh and not self.updated):
			self.update()

	def show(self, package):
		"""The fields of PACKAGE's candidate version, or None."""
		p = self.run("apt-cache", "show", "--no-all-versions", package)
		stanzas = parse_stanzas(p.stdout) if p.returncode == 0 else []
		return stanzas[0] if stanzas else None

	def names(self, prefix):
		p = self.run("apt-cache", "pkgnames", prefix)
		return sorted(p.stdout.split())

	def newest(self, regex):
		"""The newest package whose whole name matches REGEX, as (name, version)."""
		prefix = re.match(r"[A-Za-z0-9-]*", regex).group(0)
		found = []
		for name in self.names(prefix):
			if re.fullmatch(regex, name):
				fields = self.show(name)
				if fields:
					found.append((name, fields["Version"]))
		if not found:
			return None
		return max(found, key=functools.cmp_to_key(lambda a, b: compare_versions(a[1], b[1])))

	def resolve(self, spec):
		"""The packages a spec (see kernels.KERNELS) stands for, as [(name, version, size)]:
		the image package first, then its linux-* dependencies that carry its ABI."""
		if spec.startswith("meta:"):
			meta = self.show(spec[5:])
			if not meta:
				raise host_error(f"no package {spec[5:]} in {self.suite}'s index at {self.mirror}")
			images = [n for n in depends_names(meta.get("Depends", "")) if n.startswith("linux-image-")]
			name = images[0] if images else (depends_names(meta.get("Depends", "")) or [None])[0]
		elif spec.startswith("re:"):
			found = self.newest(spec[3:])
			name = found[0] if found else None
		else:
			name = spec
		fields = self.show(name) if name else None
		if not fields:
			raise host_error(f"no package matching {spec.split(':', 1)[-1]} in {self.suite}'s index at {self.mirror}")
		out = [(name, fields["Version"], int(fields.get("Size", 0)))]
		abi = name[len("linux-image-"):] if name.startswith("linux-image-") else None
		for dep in depends_names(fields.get("Depends", "")) if abi else ():
			if dep.startswith("linux-") and abi in dep and dep != name:
				d = self.show(dep)
				if not d:
					raise host_error(f"{name} needs {dep}, which {self.suite}'s index at {self.mirror} lacks")
				out.append((dep, d["Version"], int(d.get("Size", 0))))
		return out

	def resolve_cached(self, spec, refresh=False):
		"""resolve(), remembered until the index is fetched again: later runs need neither
		the network nor the index."""
		self.ensure_index(refresh)
		path = f"{self.root}/resolved-{hashlib.sha256(spec.encode()).hexdigest()[:16]}.json"
		try:
			with open(path) as f:
				return [tuple(p) for p in json.load(f)]
		except (OSError, ValueError):
			pass
		packages = self.resolve(spec)
		with open(path + ".new", "w") as f:
			json.dump(packages, f)
		os.replace(path + ".new", path)
		return packages

	def download(self, name, version, dest):
		"""Downloads NAME=VERSION into DEST, verified against the index; its path or None."""
		os.makedirs(dest, exist_ok=True)
		p = self.run("apt-get", "download", f"{name}={version}", cwd=dest)
		if p.returncode != 0:
			return None
		for deb in glob.glob(os.path.join(glob.escape(dest), f"{name}_*.deb")):
			if unquote_version(deb) == version:
				return deb
		return None


def unquote_version(deb):
	"""The version in an apt-get download file name (epoch's colon quoted as %3a)."""
	return os.path.basename(deb).split("_")[1].replace("%3a", ":")


def unpacked_packages(apt, spec, cache, need_space):
	"""Fetches (once) and unpacks (once) the packages of SPEC into one tree under
	CACHE/packages, named after the first package; returns the tree. When a download
	fails the index may be stale (Debian drops superseded kernels from the pool): it is
	fetched again and the spec resolved anew, once."""
	packages = apt.resolve_cached(spec, refresh=bool(os.environ.get("MTEPROBE_REFRESH")))
	tree = os.path.join(cache, "packages", f"{packages[0][0]}_{packages[0][1]}")
	if os.path.exists(os.path.join(tree, ".complete")):
		return tree
	# unpacked, a kernel package takes about 6 times its .deb
	need_space(sum(p[2] for p in packages) * 8 // 1048576 + 1, packages[0][0])
	debs_dir = os.path.join(cache, "debs")
	debs = fetch_debs(apt, packages, debs_dir)
	if debs is None:
		say(f"downloading {packages[0][0]} failed or did not verify; fetching {apt.suite}'s index again")
		apt.update()
		packages = apt.resolve_cached(spec)
		tree = os.path.join(cache, "packages", f"{packages[0][0]}_{packages[0][1]}")
		debs = fetch_debs(apt, packages, debs_dir)
		if debs is None:
			raise host_error(f"cannot download {' '.join(p[0] for p in packages)} from {apt.mirror} ({apt.suite}) "
					 "or it does not match the index; check the network or set MTEPROBE_MIRROR to another Debian mirror")
	shutil.rmtree(tree + ".new", ignore_errors=True)
	os.makedirs(tree + ".new")
	for deb in debs:
		p = subprocess.run(["dpkg-deb", "-x", deb, tree + ".new"], capture_output=True, text=True)
		if p.returncode != 0:
			raise host_error(f"cannot unpack {deb} ({p.stderr.strip()}); delete it and retry")
	open(os.path.join(tree + ".new", ".complete"), "w").close()
	shutil.rmtree(tree, ignore_errors=True)
	os.rename(tree + ".new", tree)
	return tree


def fetch_debs(apt, packages, dest):
	debs = []
	for name, version, _ in packages:
		cached = [d for d in glob.glob(os.path.join(glob.escape(dest), f"{name}_*.deb")) if unquote_version(d) == version]
		if not cached:
			say(f"downloading {name} {version}")
		deb = cached[0] if cached else apt.download(name, version, dest)
		if deb is None:
			return None
		debs.append(deb)
	return debs
