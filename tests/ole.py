"""A compound file (OLE2, MS-CFB version 3) writer, just enough for the .doc and .msg samples.

No library writes these files, and Word 97 documents and Outlook messages are
both made of them: named streams in nested storages, in 512-byte sectors (small
streams in 64-byte mini sectors), chained by a FAT.
"""

from __future__ import annotations

import struct

SECTOR = 512
MINI = 64
CUTOFF = 4096
END = 0xFFFFFFFE
FREE = 0xFFFFFFFF
FAT_SECTOR = 0xFFFFFFFD
NONE = 0xFFFFFFFF


class _Entry:
    def __init__(self, name: str, kind: int, data: bytes = b"") -> None:
        self.name = name
        self.kind = kind  # 1 storage, 2 stream, 5 root
        self.data = data
        self.children: list[_Entry] = []
        self.id = 0
        self.start = END
        self.size = 0
        self.right = NONE
        self.child = NONE


def compound_file(streams: dict[str, bytes]) -> bytes:
    """`streams` maps "storage/stream" paths to their bytes."""
    root = _Entry("Root Entry", 5)
    for path, data in streams.items():
        node = root
        *folders, leaf = path.split("/")
        for folder in folders:
            found = next((c for c in node.children if c.name == folder), None)
            if found is None:
                found = _Entry(folder, 1)
                node.children.append(found)
            node = found
        node.children.append(_Entry(leaf, 2, data))
    entries: list[_Entry] = []

    def number(entry: _Entry) -> None:
        entry.id = len(entries)
        entries.append(entry)
        entry.children.sort(key=lambda c: (len(c.name), c.name.upper()))
        for child in entry.children:
            number(child)
        for left, right in zip(entry.children, entry.children[1:], strict=False):
            left.right = right.id
        if entry.children:
            entry.child = entry.children[0].id

    number(root)
    # Small streams go in the mini stream, 64 bytes a sector.
    mini = bytearray()
    mini_fat: list[int] = []
    big: list[_Entry] = []
    for entry in entries:
        if entry.kind != 2:
            continue
        entry.size = len(entry.data)
        if entry.size == 0:
            continue
        if entry.size < CUTOFF:
            first = len(mini) // MINI
            count = -(-entry.size // MINI)
            mini += entry.data.ljust(count * MINI, b"\x00")
            mini_fat += [first + i + 1 for i in range(count - 1)] + [END]
            entry.start = first
        else:
            big.append(entry)
    sectors: list[bytes] = []
    fat: list[int] = []

    def allocate(data: bytes) -> int:
        if not data:
            return END
        start = len(sectors)
        count = -(-len(data) // SECTOR)
        padded = data.ljust(count * SECTOR, b"\x00")
        sectors.extend(padded[i * SECTOR : (i + 1) * SECTOR] for i in range(count))
        fat.extend([start + i + 1 for i in range(count - 1)] + [END])
        return start

    for entry in big:
        entry.start = allocate(entry.data)
    root.start = allocate(bytes(mini))
    root.size = len(mini)
    mini_fat_data = b"".join(struct.pack("<I", n) for n in mini_fat)
    mini_fat_data = mini_fat_data.ljust(-(-len(mini_fat_data) // SECTOR) * SECTOR, b"\xff")
    first_mini_fat = allocate(mini_fat_data)
    directory = b"".join(_directory_entry(e) for e in entries)
    directory = directory.ljust(-(-len(directory) // SECTOR) * SECTOR, b"\x00")
    # Empty slots must read as unused entries.
    directory = directory[: len(entries) * 128] + b"".join(
        _unused() for _ in range((len(directory) - len(entries) * 128) // 128)
    )
    first_directory = allocate(directory)
    fat_count = 1
    while -(-(len(sectors) + fat_count) * 4 // SECTOR) > fat_count:
        fat_count += 1
    fat_start = len(sectors)
    fat += [FAT_SECTOR] * fat_count
    fat += [FREE] * (fat_count * SECTOR // 4 - len(fat))
    fat_bytes = b"".join(struct.pack("<I", n) for n in fat)
    sectors.extend(fat_bytes[i * SECTOR : (i + 1) * SECTOR] for i in range(fat_count))
    difat = [fat_start + i for i in range(fat_count)] + [FREE] * (109 - fat_count)
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 16
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + b"\x00" * 6
        + struct.pack(
            "<IIIIIIIIII",
            0,
            fat_count,
            first_directory,
            0,
            CUTOFF,
            first_mini_fat,
            len(mini_fat_data) // SECTOR,
            END,
            0,
            difat[0],
        )
        + b"".join(struct.pack("<I", n) for n in difat[1:])
    )
    assert len(header) == SECTOR
    return header + b"".join(sectors)


def _directory_entry(entry: _Entry) -> bytes:
    name = entry.name.encode("utf-16-le") + b"\x00\x00"
    return (
        name.ljust(64, b"\x00")
        + struct.pack("<HBB", len(name), entry.kind, 1)
        + struct.pack("<III", NONE, entry.right, entry.child)
        + b"\x00" * 16
        + b"\x00" * 4
        + b"\x00" * 16
        + struct.pack("<IQ", entry.start if entry.kind != 1 else 0, entry.size)
    )


def _unused() -> bytes:
    return (
        b"\x00" * 64
        + struct.pack("<HBB", 0, 0, 0)
        + struct.pack("<III", NONE, NONE, NONE)
        + (b"\x00" * 36)
        + struct.pack("<IQ", 0, 0)
    )
