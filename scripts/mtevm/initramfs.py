# SPDX-License-Identifier: MIT
"""The guest's initramfs: a base archive per kernel (busybox, scripts/vm/init, every module
any filesystem may need), cached, and a small per-run archive appended to it (the
mteprobe binary, the job, the modules to load)."""
import hashlib
import os
import shutil
import subprocess

from . import kernels, modules, stream
from .status import host_error

# Accounts of the guest: root, and "shell" (uid 2000, as Android's adb shell) for
# unprivileged runs: `su -s /bin/sh shell -c 'mteprobe ...'` (busybox su).
PASSWD = "root:x:0:0:root:/:/bin/sh\nshell:x:2000:2000:unprivileged runs:/tmp:/bin/sh\n"
GROUP = "root:x:0:\nshell:x:2000:\n"


def make_cpio(directory, dest):
	"""A newc archive of DIRECTORY, names sorted, owned by root, as the kernel unpacks it."""
	names = []
	for top, dirs, files in os.walk(directory):
		for n in dirs + files:
			names.append("./" + os.path.relpath(os.path.join(top, n), directory))
	data = "".join(n + "\n" for n in sorted(names, key=lambda n: n.encode()))
	with open(dest + ".new", "wb") as out:
		p = subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"], cwd=directory,
				   input=data.encode(), stdout=out, stderr=subprocess.PIPE)
	if p.returncode != 0:
		raise host_error(f"cpio failed making {dest}: {p.stderr.decode().strip()}")
	os.replace(dest + ".new", dest)


# The guest's scripts: (path in the archive, source under scripts/vm/).
GUEST_SCRIPTS = (("init", "init"), ("bin/mte-vm-stream", "stream"))


def guest_script(source):
	return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "vm", source)


def harness_sources():
	"""The files that decide what goes into a base archive: the guest's scripts and this package."""
	here = os.path.dirname(os.path.abspath(__file__))
	files = [guest_script(src) for _, src in GUEST_SCRIPTS]
	files += sorted(os.path.join(here, f) for f in os.listdir(here) if f.endswith(".py"))
	return files


def base_initramfs(cache, label, busybox_tree, tree, scratch):
	"""The cached base archive for a kernel (TREE a modules.ModuleTree or None), keyed by
	everything that goes into it."""
	h = hashlib.sha256()
	for f in harness_sources():
		with open(f, "rb") as fh:
			h.update(fh.read())
	if tree:
		with open(os.path.join(tree.kmods, "modules.dep"), "rb") as fh:
			h.update(fh.read())
	h.update(f"{busybox_tree} {tree.kmods if tree else ''}".encode())
	dest = os.path.join(cache, "initramfs", f"{label}-{h.hexdigest()[:16]}.cpio")
	if os.path.exists(dest):
		return dest
	stage = os.path.join(scratch, "base")
	for d in ("bin", "sbin", "etc/mte-vm"):
		os.makedirs(os.path.join(stage, d), exist_ok=True)
	os.makedirs(os.path.dirname(dest), exist_ok=True)
	shutil.copyfile(os.path.join(busybox_tree, "bin/busybox"), os.path.join(stage, "bin/busybox"))
	os.chmod(os.path.join(stage, "bin/busybox"), 0o755)
	os.symlink("../bin/busybox", os.path.join(stage, "sbin/modprobe"))
	for name, src in GUEST_SCRIPTS:
		shutil.copyfile(guest_script(src), os.path.join(stage, name))
		os.chmod(os.path.join(stage, name), 0o755)
	for name, text in (("passwd", PASSWD), ("group", GROUP)):
		with open(os.path.join(stage, "etc", name), "w") as f:
			f.write(text)
	if tree:
		fs_mods = [f for f in kernels.fs_names() if f != "tmpfs"]
		modules.stage_modules(tree, stage, list(kernels.BASE_MODULES) + fs_mods)
	make_cpio(stage, dest)
	shutil.rmtree(stage)
	return dest


def sh_quote(s):
	return "'" + s.replace("'", "'\\''") + "'"


def disk_max_kb(slow_disk):
	"""The largest request (KiB) the guest may send to a throttled disk: a power of two no
	larger than the throttle's bucket, a tenth of the rate (4 KiB at least); None when
	unthrottled."""
	if not slow_disk:
		return None
	kb = 4
	while kb * 2 * 1024 <= slow_disk // 10 and kb < 1024:
		kb *= 2
	return kb


def job_script(timeout, kill_grace, run_fs, slow_disk, job):
	"""The guest's /etc/mte-vm/job.sh (scripts/vm/init reads it)."""
	kb = disk_max_kb(slow_disk)
	return (f"JOB_TIMEOUT={timeout}\n"
		f"KILL_GRACE={kill_grace}\n"
		f"FS_LIST={sh_quote(' '.join(run_fs))}\n"
		f"DISK_MAX_KB={kb if kb else ''}\n"
		f"STREAM_PORT={sh_quote(stream.PORT_NAME)}\n"
		"set --" + "".join(" " + sh_quote(a) for a in job) + "\n")


def job_initramfs(base, dest, scratch, binary, job_sh, module_list, add=()):
	"""The job's archive after BASE: mteprobe as /bin/mteprobe, the files ADD (mte-vm --add)
	beside it, the job and the modules to load."""
	stage = os.path.join(scratch, "job")
	os.makedirs(os.path.join(stage, "bin"), exist_ok=True)
	os.makedirs(os.path.join(stage, "etc/mte-vm"), exist_ok=True)
	for src, name in [(binary, "mteprobe")] + [(f, os.path.basename(f)) for f in add]:
		shutil.copyfile(src, os.path.join(stage, "bin", name))
		os.chmod(os.path.join(stage, "bin", name), 0o755)
	with open(os.path.join(stage, "etc/mte-vm/job.sh"), "w") as f:
		f.write(job_sh)
	with open(os.path.join(stage, "etc/mte-vm/modules"), "w") as f:
		f.write(module_list)
	job_cpio = os.path.join(scratch, "job.cpio")
	make_cpio(stage, job_cpio)
	# the kernel unpacks concatenated archives in order
	with open(dest, "wb") as out:
		for part in (base, job_cpio):
			with open(part, "rb") as f:
				shutil.copyfileobj(f, out)
