# SPDX-License-Identifier: MIT
"""The results stream: what the guest's scripts/vm/stream sent on the virtio port
while the job ran, put back together as files. Used when the guest did not ship its
results disk (a panic, a wedged kernel, the host's timeout, QEMU killed): every
complete line the job had written survives.

The stream is a sequence of records: a header line b"F OFFSET LENGTH PATH\\n", then
LENGTH bytes: PATH holds these bytes from OFFSET and is OFFSET+LENGTH long. A guest
stopped mid-record leaves a torn header (ignored) or fewer than LENGTH bytes (what
came is kept)."""
import os

# The name of the virtio port (QEMU's virtserialport name=, the guest's
# /sys/class/virtio-ports/*/name).
PORT_NAME = "mte-vm.stream"


class Stream:
	"""files: {path: bytes} as last sent; error: why reading stopped early (a record
	that makes no sense), or None."""

	def __init__(self):
		self.files, self.error = {}, None


def parse(data):
	s, pos = Stream(), 0
	while pos < len(data):
		nl = data.find(b"\n", pos)
		if nl < 0:
			break	# a torn header: the guest stopped while writing it
		header = data[pos:nl]
		pos = nl + 1
		words = header.split(b" ", 3)
		if len(words) != 4 or words[0] != b"F" or not words[1].isdigit() or not words[2].isdigit():
			s.error = f"a record header that makes no sense at byte {nl - len(header)}: {header[:60]!r}"
			break
		offset, length = int(words[1]), int(words[2])
		path = words[3].decode("utf-8", "surrogateescape")
		body = data[pos:pos + length]
		pos += length
		old = s.files.get(path, b"")
		s.files[path] = old[:offset].ljust(offset, b"\0") + body
	return s


def read(path):
	try:
		with open(path, "rb") as f:
			return parse(f.read())
	except OSError:
		return Stream()


def complete_lines(data):
	"""DATA up to its last newline: a line the guest was still writing is dropped."""
	return data[:data.rfind(b"\n") + 1]


def safe_path(path):
	"""PATH as a relative path inside the result directory, or None: the guest is not
	trusted with the host's files."""
	name = os.path.normpath(path)
	if not path or os.path.isabs(name) or name == "." or name == ".." or name.startswith("../"):
		return None
	return name


def count_rows(data):
	"""The CSV rows in DATA: lines after a header line (one starting "schema,", as
	mteprobe writes it; several runs' output may be concatenated)."""
	rows, in_csv = 0, False
	for line in data.split(b"\n"):
		if line.startswith(b"schema,"):
			in_csv = True
		elif in_csv and line.strip():
			rows += 1
	return rows


def keep(stream, dest):
	"""Writes each streamed file's complete lines into DEST, where the results disk
	gave no such file or a shorter one (a torn disk); never through a link. Returns
	[(path, rows)] of the files written, in path order."""
	kept = []
	for path in sorted(stream.files):
		name = safe_path(path)
		if name is None:
			continue
		data = complete_lines(stream.files[path])
		target = os.path.join(dest, name)
		try:
			if os.path.lexists(target) and not (os.path.isfile(target) and not os.path.islink(target)
							     and os.path.getsize(target) < len(data)):
				continue
			os.makedirs(os.path.dirname(target), exist_ok=True)
			# written aside and renamed over: a file the disk gave is replaced, not written through
			tmp = os.path.join(os.path.dirname(target), f".{os.path.basename(name)}.stream")
			fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
			with os.fdopen(fd, "wb") as out:
				out.write(data)
			os.replace(tmp, target)
		except OSError:
			continue
		kept.append((name, count_rows(data)))
	return kept
